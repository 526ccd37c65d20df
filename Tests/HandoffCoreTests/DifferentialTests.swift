import Foundation
import Testing

@testable import HandoffCore

/// The differential corpus: generated documents, their mutations and the peers' recorded verdicts
/// (`scripts/record-openapi-verdicts.py` writes it; `Fixtures/openapi-corpus/corpus.json`).
struct OpenAPICorpus: Decodable {
    /// One line edit of a base: lines `start..<end` replaced by `replacement` (Python's difflib opcodes).
    struct Edit: Decodable {
        var start: Int
        var end: Int
        var replacement: String

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            start = try container.decode(Int.self)
            end = try container.decode(Int.self)
            replacement = try container.decode(String.self)
        }
    }

    struct Document: Decodable {
        var name: String
        var base: String
        /// The mutation applied (`valid` for a base).
        var kind: String
        /// The base's `openapi` version.
        var openapi: String
        var edits: [Edit]
        /// openapi-spec-validator's verdict: true when it accepts the document.
        var osv: Bool
        /// openapi-spec-validator-rs's verdict, when it was installed.
        var osvRS: Bool?
        /// openapi-spec-validator's first error line.
        var error: String?

        enum CodingKeys: String, CodingKey {
            case name, base, kind, openapi, edits, error
            case osv = "openapi-spec-validator"
            case osvRS = "openapi-spec-validator-rs"
        }

        /// The key disagreements are listed under: the mutation and the version it was applied to.
        var key: String { "\(kind) \(openapi.hasPrefix("3.1") ? "3.1" : "3.0")" }
    }

    struct Verdict: Decodable {
        var osv: Bool
        var error: String?

        enum CodingKeys: String, CodingKey {
            case error
            case osv = "openapi-spec-validator"
        }
    }

    var seed: Int
    var versions: [String: String]
    var bases: [String: String]
    var documents: [Document]
    var fixtures: [String: Verdict]

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openapi-corpus/corpus.json")

    static func load() throws -> OpenAPICorpus {
        try JSONDecoder().decode(OpenAPICorpus.self, from: Data(contentsOf: url))
    }

    /// The text of `document`: its base with its edits applied, last first.
    func text(of document: Document) -> String {
        var lines = Self.lines(bases[document.base] ?? "")
        for edit in document.edits.reversed() {
            lines.replaceSubrange(edit.start..<edit.end, with: Self.lines(edit.replacement))
        }
        return lines.joined()
    }

    /// Lines with their terminators, as Python's `splitlines(keepends=True)` gives them for this ASCII text.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

@Suite("Differential: Handoff against openapi-spec-validator and OpenAPIKit")
struct DifferentialTests {
    static let corpus = try! OpenAPICorpus.load()

    /// Handoff's verdict: true when the contract has no structural finding.
    static func accepts(_ text: String, name: String) throws -> Bool {
        ContractValidator.isStructurallyValid(try ContractValidator.check(text, fileName: name).findings)
    }

    /// Where Handoff and openapi-spec-validator part, by mutation and version, and why Handoff is right.
    static let disagreesWithOSV: [String: String] = [
        "broken-schema-ref 3.0": Self.unresolvedSchema,
        "broken-schema-ref 3.1": Self.unresolvedSchema,
        "external-ref 3.0": Self.external,
        "external-ref 3.1": Self.external,
        "nullable-in-3.1 3.1": Self.nullable,
        "component-name 3.0":
            "3.0 says component names MUST match ^[a-zA-Z0-9.-_]+$ ('Bad Name' has a space, and cannot be written in a $ref without"
            + " escaping); the validator's 3.0 JSON Schema only uses the pattern to pick which entries to check (3.1's enforces it).",
        "example-and-examples 3.1":
            "3.1 keeps 'The example field is mutually exclusive of the examples field' (Media Type Object); the validator's 3.1 JSON"
            + " Schema dropped the constraint. OpenAPIKit refuses it too.",
    ]

    /// Where Handoff and OpenAPIKit part, by mutation and version, and why Handoff is right.
    static let disagreesWithOpenAPIKit: [String: String] = [
        "boolean-exclusive-bound 3.1":
            "3.1 schemas are JSON Schema 2020-12, where exclusiveMinimum is a number; a boolean is the 3.0 form (openapi-spec-validator"
            + " refuses it too).",
        "default-mismatch 3.0": Self.defaultMismatch,
        "default-mismatch 3.1": Self.defaultMismatch,
        "duplicate-operation-id 3.0": Self.operationID,
        "duplicate-operation-id 3.1": Self.operationID,
        "enum-empty 3.0": "The 3.0 Schema Object requires enum to have at least one item (openapi-spec-validator agrees).",
        "external-ref 3.0": Self.external,
        "external-ref 3.1": Self.external,
        "extra-path-parameter 3.0": Self.pathParameters,
        "extra-path-parameter 3.1": Self.pathParameters,
        "undeclared-path-parameter 3.0": Self.pathParameters,
        "undeclared-path-parameter 3.1": Self.pathParameters,
        "invalid-status-code 3.0": Self.statusCode,
        "invalid-status-code 3.1": Self.statusCode,
        "link-operation-id-and-ref 3.0": Self.link,
        "link-operation-id-and-ref 3.1": Self.link,
        "nullable-in-3.1 3.1": Self.nullable,
        "path-without-slash 3.0": Self.pathSlash,
        "path-without-slash 3.1": Self.pathSlash,
        "ref-sibling-extension 3.1":
            "A 3.1 Reference Object allows summary and description beside $ref, nothing else, extensions included"
            + " (openapi-spec-validator agrees); OpenAPIKit drops the sibling silently.",
        "response-missing-description 3.1":
            "A response's description is REQUIRED up to 3.1 (3.2 made it optional, and OpenAPIKit reads 3.1 with 3.2's model);"
            + " openapi-spec-validator agrees.",
        "responses-empty 3.1":
            "The Responses Object MUST contain at least one response code in 3.1 as in 3.0 (the operation may omit responses"
            + " altogether, not list none); openapi-spec-validator agrees.",
        "schema-negative-length 3.0": Self.negativeLength,
        "schema-negative-length 3.1": Self.negativeLength,
        "schema-unknown-keyword 3.0":
            "The 3.0 Schema Object is a closed subset of JSON Schema: 'const' is not in it, so a 3.0 tool ignores the constraint"
            + " (openapi-spec-validator agrees; in 3.1 it is allowed).",
        "wrong-type-info-title 3.0": Self.scalarType,
        "wrong-type-info-title 3.1": Self.scalarType,
    ]

    static let unresolvedSchema =
        "The $ref points at a schema the document does not define, so no generator or mock can build the body;"
        + " openapi-spec-validator does not follow $refs in request bodies (it refuses the same $ref in a response; OpenAPIKit"
        + " refuses both)."
    static let external =
        "Handoff never loads another file, so a contract must be self-contained; the peers accept the reference without reading it"
        + " (openapi-spec-validator only follows what it validates)."
    static let nullable =
        "'nullable' was removed in 3.1 (null is a type: type: [string, 'null']); a 3.1 generator ignores it and makes the field"
        + " non-null, against the author's intent. JSON Schema tolerates unknown keywords, so both peers accept it silently."
    static let defaultMismatch =
        "A default its own type rejects cannot be sent; openapi-spec-validator checks defaults against their schema too."
    static let operationID =
        "operationIds MUST be unique (openapi-spec-validator agrees); the oracle leaves the check to OpenAPIRules, as the old"
        + " pipeline did."
    static let pathParameters =
        "Every {name} of a path template needs a declared path parameter and every declared one a {name} (openapi-spec-validator"
        + " agrees: UnresolvableParameterError); OpenAPIKit does not compare them."
    static let statusCode =
        "Responses keys are 'default', 1XX-5XX or a 3-digit code from 100 to 599 (openapi-spec-validator agrees); OpenAPIKit reads"
        + " an unknown key as a status it cannot name."
    static let link = "operationRef and operationId are mutually exclusive (openapi-spec-validator agrees)."
    static let pathSlash = "Paths Object keys MUST begin with a slash (openapi-spec-validator agrees); OpenAPIKit adds one silently."
    static let negativeLength = "minLength is a non-negative integer in both versions (openapi-spec-validator agrees)."
    static let scalarType =
        "title: 42 is an integer in YAML (and in the JSON a generator reads); the field is a string (openapi-spec-validator agrees)."

    @Test("the corpus holds at least 300 documents and 25 kinds of mutation, valid and invalid")
    func size() {
        let corpus = Self.corpus
        #expect(corpus.documents.count >= 300)
        #expect(Set(corpus.documents.map(\.kind)).subtracting(["valid"]).count >= 25)
        #expect(corpus.documents.contains { $0.osv } && corpus.documents.contains { !$0.osv })
        #expect(corpus.documents.contains { $0.name.hasSuffix(".json") })
    }

    @Test("Handoff agrees with openapi-spec-validator's recorded verdicts except where listed, for the reason listed")
    func againstOpenAPISpecValidator() throws {
        var parted: Set<String> = []
        for document in Self.corpus.documents {
            let text = Self.corpus.text(of: document)
            let handoff = try Self.accepts(text, name: document.name)
            guard handoff != document.osv else { continue }
            parted.insert(document.key)
            if Self.disagreesWithOSV[document.key] == nil {
                let findings = try ContractValidator.check(text, fileName: document.name).findings.map(\.formatted)
                Issue.record(
                    "\(document.name): Handoff \(handoff ? "accepts" : "refuses"), openapi-spec-validator \(document.osv ? "accepts" : "refuses") (\(document.error ?? "")); \(findings)"
                )
            }
        }
        #expect(Set(Self.disagreesWithOSV.keys).subtracting(parted).isEmpty, "listed but no longer parting")
    }

    @Test("Handoff agrees with the OpenAPIKit oracle except where listed, for the reason listed")
    func againstOpenAPIKit() throws {
        var parted: Set<String> = []
        for document in Self.corpus.documents {
            let text = Self.corpus.text(of: document)
            let handoff = try Self.accepts(text, name: document.name)
            let problem = OpenAPIKitOracle.problem(text)
            guard handoff != (problem == nil) else { continue }
            parted.insert(document.key)
            if Self.disagreesWithOpenAPIKit[document.key] == nil {
                let findings = try ContractValidator.check(text, fileName: document.name).findings.map(\.formatted)
                Issue.record(
                    "\(document.name): Handoff \(handoff ? "accepts" : "refuses"), OpenAPIKit \(problem.map { "refuses: \($0)" } ?? "accepts"); \(findings)"
                )
            }
        }
        #expect(Set(Self.disagreesWithOpenAPIKit.keys).subtracting(parted).isEmpty, "listed but no longer parting")
    }

    @Test(
        "the published examples: Handoff, openapi-spec-validator and OpenAPIKit all accept them",
        .enabled(if: Fixtures.available, "needs ../shared/fixtures/openapi (the project's shared folder)"),
        arguments: Fixtures.names)
    func published(_ name: String) throws {
        let text = try Fixtures.text(name)
        #expect(try Self.accepts(text, name: "\(name).yaml"))
        #expect(Self.corpus.fixtures["\(name).yaml"]?.osv == true)
        #expect(OpenAPIKitOracle.problem(text) == nil)
    }
}
