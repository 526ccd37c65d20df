import Foundation
import Testing

@testable import HandoffCore

/// The OpenAPI examples published by the OpenAPI Initiative, from the shared fixtures folder.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/openapi")
    static let available = FileManager.default.fileExists(atPath: folder.path)
    static let names = ["api-with-examples", "callback-example", "link-example", "petstore-expanded", "petstore", "uspto"]

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    }
}

@Suite("Contracts")
struct ContractTests {
    static let id = PacketID("PAY-142")!
    static let contract = "specs/PAY-142/contracts/openapi.yaml"

    /// The example packet with `contract` as its only contract.
    static func findings(contract text: String, name: String = "openapi.yaml") throws -> [Finding] {
        var files = PacketTemplate.example()
        files[Self.contract] = nil
        files["specs/PAY-142/contracts/\(name)"] = text
        return try PacketChecker().check(id, in: MemoryTreeView(files)).findings
            .filter { $0.rule.hasPrefix("contracts.") }
    }

    static func line(of needle: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    @Test(
        "the six published OpenAPI examples parse and validate", .enabled(if: Fixtures.available, "needs ../shared/fixtures"),
        arguments: Fixtures.names)
    func publishedExamplesAreValid(_ name: String) throws {
        let findings = try Self.findings(contract: try Fixtures.text(name))
        let structural = findings.filter { $0.rule == "contracts.parse-error" || $0.rule == "contracts.openapi-invalid" }
        #expect(structural.isEmpty, "\(structural.map(\.formatted))")
        // They are examples of the format, not of good contracts: warnings are expected, errors are not.
        #expect(findings.allSatisfy { $0.severity != .error })
    }

    @Test(
        "mutated petstore copies are reported with the right rule, on a line in the mutated region",
        .enabled(if: Fixtures.available, "needs ../shared/fixtures"))
    func mutations() throws {
        let original = try Fixtures.text("petstore")

        let withoutInfo = original.replacingOccurrences(
            of: "info:\n  version: 1.0.0\n  title: Swagger Petstore\n  license:\n    name: MIT\n", with: "")
        #expect(withoutInfo != original)
        let info = try #require(try Self.findings(contract: withoutInfo).first { $0.rule == "contracts.openapi-invalid" })
        #expect(info.line <= 2, "\(info.formatted)")
        #expect(info.message.contains("info"))

        let brokenRef = original.replacingOccurrences(of: "$ref: \"#/components/schemas/Pets\"", with: "$ref: \"#/components/schemas/Nope\"")
        let ref = try #require(try Self.findings(contract: brokenRef).first { $0.rule == "contracts.openapi-invalid" })
        let refLine = Self.line(of: "schemas/Nope", in: brokenRef)
        #expect((refLine - 3...refLine).contains(ref.line), "\(ref.formatted), mutated line \(refLine)")

        let undeclared = original.replacingOccurrences(of: "  /pets/{petId}:", with: "  /pets/{petIdentifier}:")
        let parameterFindings = try Self.findings(contract: undeclared).filter { $0.rule == "contracts.openapi-invalid" }
        let pathLine = Self.line(of: "/pets/{petIdentifier}:", in: undeclared)
        #expect(
            parameterFindings.contains { $0.message.contains("'{petIdentifier}'") && (pathLine...pathLine + 1).contains($0.line) },
            "\(parameterFindings.map(\.formatted))")
        #expect(parameterFindings.contains { $0.message.contains("declares path parameter 'petId'") })

        let duplicated = original.replacingOccurrences(of: "operationId: createPets", with: "operationId: listPets")
        let duplicate = try #require(try Self.findings(contract: duplicated).first { $0.rule == "contracts.openapi-invalid" })
        #expect(
            duplicate.line == Self.line(
                of: "operationId: listPets",
                in: String(duplicated.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(20).joined(separator: "\n"))) + 20)
        #expect(duplicate.message.contains("already used on line 13"))
    }

    static let good = """
        openapi: 3.1.0
        info: { title: Refunds, version: 1.0.0 }
        security: [ { bearer: [] } ]
        components:
          securitySchemes:
            bearer: { type: http, scheme: bearer }
        paths:
          /payments/{id}/refunds:
            parameters:
              - { name: id, in: path, required: true, schema: { type: string } }
            post:
              operationId: createRefund
              responses:
                '201':
                  description: created
                  content: { application/json: { schema: { type: object } } }
                '422': { description: too much }
          /payments/{id}:
            delete:
              operationId: cancelPayment
              security: []
              parameters:
                - { name: id, in: path, required: true, schema: { type: string } }
              responses:
                '204': { description: gone }
                '404': { description: unknown }

        """

    @Test("a complete contract has no contract findings (near-miss for every contract rule)")
    func goodContract() throws {
        #expect(try Self.findings(contract: Self.good) == [])
    }

    @Test(
        "each OpenAPI warning rule fires on its own defect",
        arguments: [
            ("operationId: createRefund", "x-note: no id", "contracts.operation-id-missing"),
            (
                "content: { application/json: { schema: { type: object } } }", "content: { application/json: {} }",
                "contracts.success-response-missing"
            ),
            ("'422': { description: too much }", "'500': { description: broken }", "contracts.error-response-missing"),
            ("security: [ { bearer: [] } ]\n", "", "contracts.security-undefined"),
            ("bearer: { type: http, scheme: bearer }", "other: { type: http, scheme: bearer }", "contracts.security-undefined"),
        ])
    func warningRules(_ original: String, _ replacement: String, _ rule: String) throws {
        let mutated = Self.good.replacingOccurrences(of: original, with: replacement)
        #expect(mutated != Self.good)
        let findings = try Self.findings(contract: mutated)
        #expect(findings.map(\.rule) == [rule], "\(findings.map(\.formatted))")
        #expect(findings.allSatisfy { $0.severity == .warning && $0.line > 0 })
    }

    @Test("parse errors, unsupported versions and Swagger 2.0 are errors with lines")
    func structuralErrors() throws {
        #expect(try Self.findings(contract: "openapi: 3.1.0\ninfo: [unclosed\n").map(\.rule) == ["contracts.parse-error"])
        #expect(
            try Self.findings(contract: "openapi: 2.5.0\ninfo: {}\npaths: {}\n").map { "\($0.rule)@\($0.line)" } == ["contracts.openapi-invalid@1"])
        #expect(try Self.findings(contract: "swagger: '2.0'\n").map(\.rule) == ["contracts.openapi-invalid"])
        #expect(
            try Self.findings(contract: "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"x\", \"version\": \"1\"}, \"paths\": {}}", name: "api.json")
                == [])
    }

    @Test("JSON Schema: a valid schema passes, keywords with wrong values are findings")
    func jsonSchema() throws {
        let valid = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["amount"],
             "properties": {"amount": {"type": "string", "minLength": 1}, "tags": {"type": "array", "items": {"type": "string"}}}}
            """
        #expect(try Self.findings(contract: valid, name: "refund.schema.json") == [])
        let invalid = """
            $schema: https://json-schema.org/draft/2020-12/schema
            type: objekt
            required: amount
            properties:
              amount: { minLength: -1 }
              other: 7

            """
        #expect(try Self.findings(contract: "{\"type\": [", name: "refund.schema.json").map(\.rule) == ["contracts.schema-invalid"])
        let findings = try Self.findings(contract: invalid, name: "refund.schema.yaml")
        #expect(
            findings.map { "\($0.rule)@\($0.line)" } == [
                "contracts.schema-invalid@2", "contracts.schema-invalid@3",
                "contracts.schema-invalid@5", "contracts.schema-invalid@6",
            ])
    }

    @Test("GraphQL SDL: one that builds passes; syntax and type errors are findings")
    func graphQL() throws {
        #expect(
            try Self.findings(
                contract: "type Query { refund(id: ID!): Refund }\ntype Refund { id: ID! amount: String }\n",
                name: "schema.graphql") == [])
        let syntax = try Self.findings(contract: "type Query {\n  refund(id: ID!: Refund\n}\n", name: "schema.graphql")
        #expect(syntax.map { "\($0.rule)@\($0.line)" } == ["contracts.graphql-invalid@2"])
        let unknownType = try Self.findings(contract: "type Query { refund: Missing }\n", name: "schema.graphql")
        #expect(unknownType.map(\.rule) == ["contracts.graphql-invalid"])
        let deep = try Self.findings(contract: "type Query { a: " + String(repeating: "[", count: 10_000) + "\n", name: "deep.graphql")
        #expect(deep.map(\.rule) == ["contracts.graphql-invalid"])
    }

    @Test(
        "GraphQL nesting is counted wherever the parser's lexer would see brackets",
        arguments: [
            "# a comment ended by a Windows line end\r\n",  // "\r\n" is one Character: the guard read the rest as comment
            "# a comment ended by a lone carriage return\r",
            "\"\"\"a block string holding one \" quote\"\"\"\n",  // the guard stayed inside a string after it
            "\"\"\"escaped \\\"\"\" triple quote\"\"\"\n",
            "\"a string ended by its line\n",
        ])
    func graphQLNestingAfter(prefix: String) throws {
        let deep = try Self.findings(contract: prefix + "type Query { a: " + String(repeating: "[", count: 10_000) + "\n", name: "deep.graphql")
        #expect(deep.map(\.rule) == ["contracts.graphql-invalid"])
        #expect(deep.first?.message.contains("nests more than") == true, "refused by the guard, before the parser recursed")
    }

    @Test(
        "a GraphQL \\u escape cut short by the end of the file is refused before GraphQLSwift's lexer reads past it",
        arguments: ["\"\\u", "\"\\u1", "\"\\u12", "\"\\u123"])
    func graphQLUnfinishedEscape(tail: String) throws {
        let findings = try Self.findings(contract: "type Query { a: String }\n\(tail)", name: "schema.graphql")
        #expect(findings.map { "\($0.rule)@\($0.line):\($0.column ?? 0)" } == ["contracts.graphql-invalid@2:2"])
        #expect(findings.first?.message.contains("\\u escape") == true)
        let complete = try Self.findings(contract: "\"\"\"x\"\"\" type Query { \"\\u00e9\\\\u\" a: String }\n", name: "schema.graphql")
        #expect(complete == [])
    }

    @Test(
        "a sequence where OpenAPI wants a mapping is a finding, never read as pairs past its end",
        arguments: [
            "paths:\n  /a:\n    get:\n      responses: [ITEMS]\n",
            "paths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: [ITEMS]}\n",
            "components: {securitySchemes: [ITEMS]}\npaths: {}\n",
            "paths:\n  /a:\n    get:\n      security: [[ITEMS]]\n      responses: {'200': {description: ok}}\n",
        ])
    func sequencesForMappings(body: String) throws {
        // Read as a mapping, a sequence of n items gave pairs up to 2n children: past the end, a trap on every run.
        let items = Array(repeating: "x", count: 50).joined(separator: ", ")
        let document = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n" + body.replacingOccurrences(of: "ITEMS", with: items)
        let findings = try Self.findings(contract: document)
        #expect(findings.contains { $0.rule == "contracts.openapi-invalid" && $0.severity == .error }, "\(findings.map(\.rule))")
    }

    @Test("brackets in GraphQL comments and strings are not nesting")
    func graphQLBracketsInText() throws {
        let many = String(repeating: "[", count: 500)
        let schema = "# \(many)\r\n\"\"\"\(many) \\\"\"\" \(many)\"\"\"\ntype Query {\n  \"\(many)\\\"\" a: String\n}\n"
        #expect(try Self.findings(contract: schema, name: "schema.graphql") == [])
    }

    @Test("unknown formats are warnings; a packet with only those has no contract")
    func unknownFormats() throws {
        let findings = try Self.findings(contract: "just words\n", name: "notes.txt")
        #expect(findings.map(\.rule) == ["contracts.missing", "contracts.unknown-format"])
        #expect(try Self.findings(contract: "name: not a schema\n", name: "data.yaml").map(\.rule) == ["contracts.unknown-format"])
    }

    @Test("criteria must name operations the contracts define")
    func unknownOperation() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/acceptance.md"] = """
            - [ ] AC-1: When `POST /payments/123/refunds` is called, then the response is 201.
            - [ ] AC-2: When DELETE /payments/{id} is called, then the response is 204.
            - [ ] AC-3: When GET /payments?limit=5 is called, then the response lists payments.

            """
        let findings = try PacketChecker().check(Self.id, in: MemoryTreeView(files)).findings
            .filter { $0.rule == "acceptance.unknown-operation" }
        #expect(findings.map(\.line) == [2, 3])
        #expect(findings[0].message.contains("DELETE /payments/{id}"))
        #expect(findings[1].message.contains("GET /payments"))

        files["specs/PAY-142/acceptance.md"] = """
            - [ ] AC-1: When `createRefund` is called with 30.00 EUR, then the response is 201.
            - [ ] AC-2: When the client calls `cancelRefund`, then the response is 204.
            - [ ] AC-3: Then the body holds `nextCursor` and `refundable`.

            """
        let byID = try PacketChecker().check(Self.id, in: MemoryTreeView(files)).findings
            .filter { $0.rule == "acceptance.unknown-operation" }
        #expect(byID.map { "\($0.line) \($0.message)" } == ["2 AC-2 names operation 'cancelRefund', which no contract of this packet defines"])
    }
}

@Suite("Memoised contract checks")
struct CacheTests {
    @Test("a contract with the same content is parsed once; findings name each packet's own file")
    func memoised() throws {
        var files: [String: String] = [:]
        let contract = ContractTests.good.replacingOccurrences(of: "operationId: createRefund", with: "x-note: none")
        for id in ["A-1", "B-2"] {
            for (path, text) in PacketTemplate.example() {
                files[path.replacingOccurrences(of: "PAY-142", with: id)] = text.replacingOccurrences(of: "PAY-142", with: id)
            }
            files["specs/\(id)/contracts/openapi.yaml"] = contract
        }
        var view = MemoryTreeView(files)
        view.offersContentIDs = true
        let cache = CheckCache()
        let checker = PacketChecker(cache: cache)
        let reports = try checker.checkAll(in: view)
        #expect(cache.statistics == (hits: 1, misses: 1))
        #expect(reports.map { $0.findings.map(\.file) } == [["specs/A-1/contracts/openapi.yaml"], ["specs/B-2/contracts/openapi.yaml"]])
        let uncached = try PacketChecker().checkAll(in: view)
        #expect(uncached == reports)
        _ = try checker.checkAll(in: view)
        #expect(cache.statistics == (hits: 3, misses: 1))
    }

    @Test("a manifest served from the cache gives the same report and charges the budget as its parse did")
    func manifestsMemoised() throws {
        var files: [String: String] = [:]
        for (path, text) in PacketTemplate.example() { files[path] = text }
        files["specs/PAY-142/handoff.yaml"] = "id: PAY-142\ntitle: [unclosed\n"  // findings, kept with the entry
        var view = MemoryTreeView(files)
        view.offersContentIDs = true
        let cache = CheckCache()
        let id = PacketID("PAY-142")!
        let uncachedBudget = CheckBudget()
        let uncached = try PacketChecker(budget: uncachedBudget).check(id, in: view)
        for _ in 0..<2 {
            let budget = CheckBudget()
            #expect(try PacketChecker(cache: cache, budget: budget).check(id, in: view) == uncached)
            #expect(budget.spentCost == uncachedBudget.spentCost)
            #expect(budget.spentCost.yamlValues > 0)
        }
    }
}

extension CacheTests {
    /// A contract's findings name its file (`a.yaml is empty`) and its rule can follow from the name
    /// (`refund.schema.json` that does not parse is a broken schema): the same bytes under another name are
    /// another check, whichever file the cache met first, and whichever thread checked ahead first (#13).
    @Test("the same bytes under two names: each file's own findings, cached or not")
    func sameBytesOtherName() throws {
        var files: [String: String] = [:]
        for (path, text) in PacketTemplate.example() { files[path] = text }
        files["specs/PAY-142/contracts/a.yaml"] = ""
        files["specs/PAY-142/contracts/b.yaml"] = ""
        files["specs/PAY-142/contracts/refund.json"] = "{ broken"
        files["specs/PAY-142/contracts/refund.schema.json"] = "{ broken"
        var view = MemoryTreeView(files)
        view.offersContentIDs = true
        let uncached = try PacketChecker().checkAll(in: view)
        let cached = try PacketChecker(cache: CheckCache()).checkAll(in: view)
        #expect(cached == uncached)
        #expect(cached.flatMap(\.findings).contains { $0.file.hasSuffix("b.yaml") && $0.message == "b.yaml is empty" })
    }
}

@Suite("Cache on disk")
struct CacheFileTests {
    @Test("a saved cache serves the next process; a missing or broken file is an empty cache")
    func roundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String: String] = [:]
        for (path, text) in PacketTemplate.example() { files[path] = text }
        var view = MemoryTreeView(files)
        view.offersContentIDs = true
        let first = CheckCache()
        #expect(!first.hasUnsavedEntries)
        let reports = try PacketChecker(cache: first).checkAll(in: view)
        #expect(first.hasUnsavedEntries, "a contract checked: worth saving")
        let path = folder.appendingPathComponent("cache.json").path
        try first.save(to: path)
        let second = CheckCache.load(from: path)
        #expect(try PacketChecker(cache: second).checkAll(in: view) == reports)
        #expect(second.statistics == (hits: 1, misses: 0))
        #expect(!second.hasUnsavedEntries, "everything served from the file: nothing to write back (the hook skips the save)")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(CheckCache.load(from: path).statistics == (hits: 0, misses: 0))
        #expect(CheckCache.load(from: folder.appendingPathComponent("none.json").path).statistics == (hits: 0, misses: 0))
    }
}
