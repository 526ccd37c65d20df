import Foundation
import OpenAPIKit
import OpenAPIKit30
import Testing
import Yams

@testable import HandoffCore

/// The indexed decoder must decode exactly as Yams' `YAMLDecoder` (after KeyNormalizer): the same documents,
/// and for broken ones the same OpenAPIKit error message and coding path.
@Suite("Indexed node decoder")
struct NodeDecoderTests {
    static let broken: [String] = [
        "openapi: 3.1.0\npaths: {}\n",
        "openapi: 3.1.0\ninfo: {title: t}\npaths: {}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: 1.0}\npaths: {}\n",
        "openapi: 3.1.0\ninfo: [title]\npaths: {}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {'200': {description: ok}}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {200: {description: 7}}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {deprecated: yes, responses: {}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {deprecated: 'yes', responses: {}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {parameters: [{name: x, in: query, schema: {type: string}}, 5], responses: {}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {parameters: [{name: x, in: nowhere}], responses: {}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1', x-extra: {a: [1, ~, true]}}\npaths: {/a: {x-b: null, get: {responses: {default: {description: d}}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents: {schemas: {A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}}}\npaths: {}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://x.example/{v}', variables: {v: {default: v1}}}]\npaths: {}\nunknown: 1\n",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: integer, nullable: true}}}}}}}}\n",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: [integer]}}}}}}}}\n",
        "openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1', x-a: [{b: [1, '2', yes, 'no', ~, '', 3.5, -.inf, 0x1F]}, [[]], {}], x-c: {d: {e: {f: null}}}}\npaths: {}\n",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {x-deep: {l: [a, {m: 18446744073709551615}]}, responses: {'200': {description: ok, x-r: on}}}}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1', notanextension: 1}\npaths: {}\n",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {'200': [x]}}}}\n",
    ]

    static func compare<Document: Decodable & Equatable>(_ type: Document.Type, _ text: String) throws {
        let node = try #require(try Yams.compose(yaml: text))
        let yams = Result { try YAMLDecoder().decode(Document.self, from: KeyNormalizer.normalize(node)) }
        let indexed = Result { try #require(try NodeDecoder.decode(Document.self, from: node)) }
        switch (yams, indexed) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
        case (.failure(let a), .failure(let b)):
            let (first, second) = (OpenAPIKit.OpenAPI.Error(from: a), OpenAPIKit.OpenAPI.Error(from: b))
            #expect(first.localizedDescription == second.localizedDescription)
            #expect(first.codingPath.map(\.stringValue) == second.codingPath.map(\.stringValue))
        default:
            Issue.record("one decoder succeeded and the other failed: \(yams) / \(indexed)\n\(text)")
        }
    }

    @Test("broken and odd documents give the same results and errors", arguments: broken)
    func same(_ text: String) throws {
        if text.hasPrefix("openapi: 3.0") {
            try Self.compare(OpenAPIKit30.OpenAPI.Document.self, text)
        } else {
            try Self.compare(OpenAPIKit.OpenAPI.Document.self, text)
        }
    }

    @Test(
        "the published examples decode to the same documents", .enabled(if: Fixtures.available, "needs ../shared/fixtures"),
        arguments: Fixtures.names)
    func published(_ name: String) throws {
        let text = try Fixtures.text(name)
        if text.contains("openapi: 3.0") || text.contains("openapi: \"3.0") {
            try Self.compare(OpenAPIKit30.OpenAPI.Document.self, text)
        } else {
            try Self.compare(OpenAPIKit.OpenAPI.Document.self, text)
        }
    }

    @Test("a merge key is left to Yams")
    func mergeKey() throws {
        let node = try #require(try Yams.compose(yaml: "openapi: 3.1.0\ninfo: {<<: {title: t}, version: '1'}\npaths: {}\n"))
        #expect(try NodeDecoder.decode(OpenAPIKit.OpenAPI.Document.self, from: node) == nil)
    }
}
