import Foundation
import GitPaths
import Testing

@testable import HandoffCore

@Suite("Packet checks")
struct PacketCheckerTests {
    static let checker = PacketChecker()
    static let id = PacketID("PAY-142")!

    static func check(_ files: [String: String], specials: [String: EntryKind] = [:]) throws -> PacketReport {
        let view = MemoryTreeView(files, specials: specials)
        return try checker.check(id, in: view)
    }

    static func rules(_ report: PacketReport) -> [String] { report.findings.map(\.rule) }

    @Test("the example packet is ready with a perfect score")
    func examplePacketIsReady() throws {
        let report = try Self.check(PacketTemplate.example())
        #expect(report.findings == [])
        #expect(report.isReady)
        #expect(report.score == 100)
        #expect(report.criteria == ["AC-1", "AC-2", "AC-3"])
        #expect(report.manifest?.reviewers == ["ana@acme.example"])
    }

    @Test("a scaffold reports exactly what a human must fill in")
    func scaffoldIsDraft() throws {
        let files = PacketTemplate.scaffold(id: Self.id, title: "Partial refunds")
        let report = try Self.check(files)
        #expect(!report.isReady)
        #expect(Set(Self.rules(report)) == ["manifest.field-missing", "context.placeholder", "acceptance.placeholder"])
        #expect(report.findings.allSatisfy { $0.line > 0 })
    }

    @Test(
        "any title round-trips through the scaffold's YAML and heading",
        arguments: ["Refunds: phase 2", "#1 priority", "it's \"quoted\" & {braced}", "- dash, [list]: *star", "tab\there", "  padded  ", "ünïcödé ✓"])
    func scaffoldTitles(title: String) throws {
        let files = PacketTemplate.scaffold(id: Self.id, title: title)
        let report = try Self.check(files)
        #expect(report.manifest?.title == title.trimmingCharacters(in: .whitespaces), "the manifest trims a title, nothing more")
        #expect(!report.findings.contains { $0.rule.hasPrefix("manifest.invalid") || $0.rule.hasPrefix("contracts.") && $0.severity == .error })
        #expect(files["specs/PAY-142/context.md"]!.hasPrefix("# PAY-142: \(title)\n"))
    }

    @Test("a missing packet folder reports every missing part")
    func emptyPacket() throws {
        let report = try Self.check(["specs/PAY-142/notes.txt": "hello"])
        #expect(Self.rules(report) == ["acceptance.missing", "context.missing", "contracts.missing", "manifest.missing"])
    }

    @Test("manifest problems: id mismatch, ongoing scope, bad values, unknown dependency")
    func manifestProblems() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/handoff.yaml"] = """
            id: PAY-999
            title: Refunds
            scope: ongoing
            client: payments
            reviewers: [not-an-email]
            due: 2027-02-30
            depends_on: [PAY-1, PAY-142]

            """
        let report = try Self.check(files)
        let messages = report.findings.map { "\($0.rule)@\($0.line): \($0.message)" }
        #expect(messages.contains("manifest.id-mismatch@1: manifest id 'PAY-999' differs from the folder name 'PAY-142'"))
        #expect(messages.contains { $0.hasPrefix("manifest.scope-ongoing@3:") })
        #expect(messages.contains { $0.hasPrefix("manifest.invalid@5:") && $0.contains("not-an-email") })
        #expect(messages.contains { $0.hasPrefix("manifest.invalid@6:") && $0.contains("2027-02-30") })
        #expect(messages.contains { $0.hasPrefix("manifest.unknown-dependency") && $0.contains("PAY-1") })
        #expect(messages.contains { $0.hasPrefix("manifest.unknown-dependency") && $0.contains("depends on itself") })
    }

    @Test("YAML that does not parse is a finding with its line and column")
    func brokenYAML() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/handoff.yaml"] = "id: PAY-142\ntitle: [unclosed\nscope: finite\n"
        let finding = try #require(try Self.check(files).findings.first { $0.rule == "manifest.invalid" })
        #expect(finding.line >= 2)
        #expect(finding.column != nil)
        files["specs/PAY-142/handoff.yaml"] = "id: PAY-142\nid: PAY-143\n"
        #expect(try Self.check(files).findings.contains { $0.rule == "manifest.invalid" && $0.message.contains("repeats") })
        files["specs/PAY-142/handoff.yaml"] = "- just\n- a list\n"
        #expect(try Self.check(files).findings.contains { $0.rule == "manifest.invalid" && $0.message.contains("mapping") })
    }

    @Test("an alias bomb is refused before parsing, in well under a second")
    func aliasBomb() throws {
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...9 {
            let previous = level == 1 ? "a" : "l\(level - 1)"
            bomb += "l\(level): &l\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        bomb += "{*l9: 1}: x\n"
        var files = PacketTemplate.example()
        files["specs/PAY-142/handoff.yaml"] = bomb
        // Refused from the event stream before any node is built (how fast is the benchmark's business).
        let report = try Self.check(files)
        let finding = try #require(report.findings.first { $0.rule == "manifest.invalid" })
        #expect(finding.message.contains("alias"))
        #expect(finding.line == 2)
    }

    @Test("deep nesting is refused before the recursive parser sees it")
    func deepNesting() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/handoff.yaml"] = "id: " + String(repeating: "[", count: 100_000) + "\n"
        #expect(try Self.check(files).findings.contains { $0.rule == "manifest.invalid" && $0.message.contains("nests") })
        let indented = (0..<400).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        files["specs/PAY-142/handoff.yaml"] = indented
        #expect(try Self.check(files).findings.contains { $0.rule == "manifest.invalid" })
    }

    @Test("literal asterisks and hashes in quotes, comments and block scalars are not aliases")
    func asterisksThatAreNotAliases() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/handoff.yaml"] = """
            id: PAY-142   # *not an alias
            title: "Refunds *with* stars"
            scope: finite
            client: 'pay*ments'
            reviewers: [ana@acme.example]
            estimate: |
              *this* is a block scalar
                and * stays text
            depends_on: []

            """
        #expect(try Self.check(files).findings == [])
    }

    @Test("binary, non-UTF-8, oversized, symlinked and submodule entries are findings, never crashes")
    func hostileFiles() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/context.md"] = "## Background\n\0binary"
        var view = MemoryTreeView(
            files,
            specials: [
                "specs/PAY-142/contracts/link.yaml": .symlink,
                "specs/PAY-142/vendor": .submodule,
            ])
        view.files["specs/PAY-142/acceptance.md"] = [0x2D, 0x20, 0xFF, 0xFE, 0x0A]
        view.files["specs/PAY-142/handoff.yaml"] = Array(repeating: 0x61, count: CheckLimits.default.maxFileBytes + 1)
        let report = try Self.checker.check(Self.id, in: view)
        let byRule = Dictionary(grouping: report.findings, by: \.rule)
        #expect(byRule["file.binary"]?.map { "\($0.file):\($0.line)" } == ["specs/PAY-142/context.md:2"])
        #expect(byRule["file.not-utf8"]?.map { "\($0.file):\($0.line)" } == ["specs/PAY-142/acceptance.md:1"])
        #expect(byRule["file.too-large"]?.first?.file == "specs/PAY-142/handoff.yaml")
        #expect(byRule["packet.unsupported-entry"]?.map(\.file).sorted() == ["specs/PAY-142/contracts/link.yaml", "specs/PAY-142/vendor"])
    }

    @Test("context: missing and empty sections, placeholders with positions, code blocks ignored")
    func context() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/context.md"] = """
            # Title

            ## Background

            Real prose about why this exists.

            ## system context
            ```
            TODO inside code is fine
            ```
            <!-- TBD in a comment is fine too -->

            ## Dependencies

            The acquirer API, which is TBD.

            """
        let findings = try Self.check(files).findings.map { "\($0.rule)@\($0.line)" }
        #expect(Set(findings) == ["context.section-empty@7", "context.placeholder@15", "context.section-missing@1"])
        #expect(findings.count == 3)
    }

    @Test("acceptance criteria: ids, duplicates, placeholders, continuation lines, Gherkin tags")
    func acceptance() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/acceptance.md"] = """
            - [ ] AC-1: Given a payment, when refunded, then 201.
              - a nested note that belongs to AC-1
            - [x] AC-1: Again the same id, then the response is 204.
            * Without an id.
            1. AC-3: Amount is TBD.

            """
        let report = try Self.check(files)
        #expect(
            Set(report.findings.map { "\($0.rule)@\($0.line)" }) == [
                "acceptance.id-duplicate@3", "acceptance.id-missing@4", "acceptance.placeholder@5",
            ])
        #expect(report.criteria == ["AC-1", "AC-3"])

        files["specs/PAY-142/acceptance.md"] = nil
        files["specs/PAY-142/acceptance.feature"] = """
            Feature: Refunds
              @AC-1 @smoke
              Scenario: Partial refund
                Given a captured payment
                Then the refundable amount shrinks
              Scenario: Untagged
                Then nothing

            """
        let gherkin = try Self.check(files)
        #expect(gherkin.criteria == ["AC-1"])
        #expect(gherkin.findings.map { "\($0.rule)@\($0.line)" } == ["acceptance.id-missing@6"])
        files["specs/PAY-142/acceptance.feature"] = "Feature: nothing\n"
        #expect(try Self.check(files).findings.map(\.rule) == ["acceptance.empty"])
    }

    /// `files` with every line break written as Windows writes it.
    static func crlf(_ files: [String: String]) -> [String: String] {
        files.mapValues { $0.replacingOccurrences(of: "\n", with: "\r\n") }
    }

    /// What a report says, position by position, for comparing two reports of one packet.
    static func said(_ report: PacketReport) -> [String] {
        report.findings.map { "\($0.rule)@\($0.file):\($0.line):\($0.column ?? 0) \($0.message)" }
    }

    @Test("Windows line ends (CRLF) are judged as Unix ones: the same findings at the same lines and columns")
    func windowsLineEnds() throws {
        // "\r\n" is one Character: split at the character "\n", a CRLF document read as a single line, so a
        // ready packet lost every section and criterion.
        let example = try Self.check(Self.crlf(PacketTemplate.example()))
        #expect(Self.said(example) == [])
        #expect(example.isReady)
        #expect(example.criteria == ["AC-1", "AC-2", "AC-3"])

        var files = PacketTemplate.scaffold(id: Self.id, title: "Partial refunds")
        files["specs/PAY-142/context.md"]! += "\n```\nTBD in code\n```\n<!-- TODO\n-->\nSee [the doc](missing.md).\n"
        let unix = try Self.check(files)
        #expect(Self.said(unix).contains { $0.hasPrefix("context.broken-link@specs/PAY-142/context.md:") })
        #expect(Self.said(try Self.check(Self.crlf(files))) == Self.said(unix))

        files["specs/PAY-142/acceptance.md"] = nil
        files["specs/PAY-142/acceptance.feature"] = """
            Feature: Refunds
              @AC-1 @smoke
              Scenario: Partial refund
                Given a captured payment
                Then the refundable amount shrinks
              Scenario Outline: Untagged
                Then <n>

            """
        let gherkin = try Self.check(files)
        #expect(Self.said(gherkin).contains { $0.hasPrefix("acceptance.gherkin-invalid@") })
        #expect(gherkin.criteria == ["AC-1"])
        let windows = try Self.check(Self.crlf(files))
        #expect(Self.said(windows) == Self.said(gherkin))
        #expect(windows.criteria == gherkin.criteria)
    }

    @Test("lines built to be quadratic are judged in one pass: link openers, one long non-ASCII word, a run of negations and pronouns")
    func adversarialLines() throws {
        // Each took seconds to minutes at the file limit before (a scan ahead per "](", a word grown by
        // appending, a scan of the criterion per negation and per pronoun); no timing here, only that they end.
        var files = PacketTemplate.example()
        files["specs/PAY-142/context.md"]! += "\n" + String(repeating: "](", count: 20_000) + "\n" + String(repeating: "é", count: 50_000) + " TBD\n"
        files["specs/PAY-142/acceptance.md"]! += "- [ ] AC-9: " + String(repeating: "no it ", count: 20_000) + "then it is not sent.\n"
        let report = try Self.check(files)
        #expect(report.findings.contains { $0.rule == "context.placeholder" })
        #expect(report.criteria.contains("AC-9"))
    }

    @Test("a delivery note naming many unknown criteria is judged in one pass, each unknown id once, the list capped")
    func manyUnknownCriteria() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/acceptance.md"] = (1...300).map { "- [ ] AC-\($0): The response is 201.\n" }.joined()
        files["specs/PAY-142/\(DeliveryCheck.fileName)"] = String(repeating: "- AC-0: delivery/x.go\n", count: 5_000)
        let view = MemoryTreeView(files)
        let findings = try DeliveryCheck.check(packetFolder: "specs/PAY-142", criteria: (1...300).map { "AC-\($0)" }, in: view)
        let unknown = findings.filter { $0.rule == "delivery.unknown-criterion" }
        #expect(unknown.count == 1)
        #expect(
            unknown.first?.message == "AC-0 is not a criterion of this packet (it has AC-1, AC-2, AC-3, AC-4, AC-5, AC-6, AC-7, AC-8, AC-9, AC-10, …)"
        )
    }

    @Test("Whitespace.trimmed trims exactly what Foundation's whitespace trim does")
    func whitespaceTrim() {
        let pieces = [
            "", " ", "\t", "a", " a ", "\ta\t", "\u{A0}a\u{A0}", "\u{3000}x", "x\u{2003}", " \u{301}a", "a\u{301} ", "\r a \n", "é", " é ",
            "\u{1F600} ",
        ]
        var random = SystemRandomNumberGenerator()
        var texts = pieces
        for _ in 0..<500 { texts.append((0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()) }
        for text in texts {
            #expect(Whitespace.trimmed(text) == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
            #expect(Whitespace.trimmed(text).unicodeScalars.elementsEqual(text.trimmingCharacters(in: .whitespaces).unicodeScalars))
        }
    }

    @Test("TextLines splits at every \\n byte and drops a closing \\r, keeping an empty last line")
    func textLines() {
        #expect(TextLines.of("a\r\nb\nc\r\n").map(String.init) == ["a", "b", "c", ""])
        #expect(TextLines.of("").map(String.init) == [""])
        #expect(TextLines.of("\r\n\r\n").map(String.init) == ["", "", ""])
        #expect(TextLines.of("é\u{301}\r\nx\r").map(String.init) == ["é\u{301}", "x"])
        #expect(TextLines.of("a\rb\n").map(String.init) == ["a\rb", ""], "a lone \\r inside a line is the line's")
    }

    @Test("folders under the packet root that are not ids are reported; others are found sorted")
    func packetDiscovery() throws {
        let view = MemoryTreeView([
            "specs/B-2/handoff.yaml": "", "specs/A-1/x": "", "specs/bad name/x": "",
            "specs/README.md": "", "specs/.hidden/x": "",
        ])
        let (ids, findings) = try Self.checker.packetIDs(in: view)
        #expect(ids.map(\.rawValue) == ["A-1", "B-2"])
        #expect(findings.map(\.file) == [".hidden", "bad name"].map { "specs/\($0)" })
    }

    @Test(
        "packet ids follow the design's pattern",
        arguments: [
            ("PAY-142", true), ("a", true), ("A.b_c-9", true), (String(repeating: "x", count: 64), true),
            ("", false), ("-x", false), (".x", false), ("a b", false), ("é", false), (String(repeating: "x", count: 65), false),
        ])
    func packetIDs(_ text: String, valid: Bool) {
        #expect((PacketID(text) != nil) == valid)
    }

    @Test("docs/rules.md is what the rule catalogue generates")
    func rulesDocumentMatches() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(document == Rule.markdownReference, "regenerate with: swift run handoff rules --markdown > docs/rules.md")
        #expect(Set(Rule.all.map(\.id)).count == Rule.all.count)
    }

    @Test("docs/policy.md is what the policy settings generate, and every setting it names is one the parser knows")
    func policyDocumentMatches() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/policy.md"), encoding: .utf8)
        #expect(document == Policy.markdownReference, "regenerate with: swift run handoff rules --policy > docs/policy.md")
        // The page's example is a valid policy.
        let example = document.components(separatedBy: "```yaml\n")[1].components(separatedBy: "```")[0]
        #expect(Policy.parse(example).1.isEmpty)
    }
}

@Suite("Links and delivery notes")
struct LinkAndDeliveryTests {
    static let id = PacketID("PAY-142")!

    @Test("relative links must resolve in the same tree; external, anchors and code are not checked")
    func brokenLinks() throws {
        var files = PacketTemplate.example()
        files["docs/architecture.md"] = "# Architecture\n"
        files["specs/PAY-142/context.md"]! += """

            See [the architecture](../../docs/architecture.md#queues), [root](/docs/architecture.md "title"),
            [site](https://acme.example/x), [mail](mailto:a@b.example), [here](#background) and `[not](a-link.md)`.
            But [this one](../../docs/missing.md) is broken, and [that](../../../../etc/passwd) leaves the tree.
            ```
            [in code](nowhere.md)
            ```

            """
        let view = MemoryTreeView(files)
        let findings = try PacketChecker().check(Self.id, in: view).findings
        #expect(findings.map(\.rule) == ["context.broken-link", "context.broken-link"])
        #expect(findings.map(\.line) == [25, 25])
        #expect(findings[0].message.contains("docs/missing.md"))
        #expect(findings[1].message.contains("climbs out"))
    }

    @Test("a complete delivery note passes; gaps, unknown ids and missing evidence are each reported")
    func delivery() throws {
        var files = PacketTemplate.example()
        files["specs/PAY-142/delivery/tests/refunds_test.kt"] = "class RefundsTest\n"
        files["specs/PAY-142/delivery/DELIVERY.md"] = """
            # Delivery

            - AC-1: delivery/tests/refunds_test.kt, 0123abcd
            - AC-2: https://ci.acme.example/runs/42
            - AC-3: `/specs/PAY-142/delivery/tests/refunds_test.kt`

            """
        let criteria = ["AC-1", "AC-2", "AC-3"]
        #expect(try DeliveryCheck.check(packetFolder: "specs/PAY-142", criteria: criteria, in: MemoryTreeView(files)) == [])

        files["specs/PAY-142/delivery/DELIVERY.md"] = """
            - AC-1: delivery/tests/missing.kt
            - AC-2:
            - AC-9: https://ci.acme.example/runs/42

            """
        let findings = try DeliveryCheck.check(packetFolder: "specs/PAY-142", criteria: criteria, in: MemoryTreeView(files))
        #expect(
            findings.map { "\($0.rule)@\($0.line)" } == [
                "delivery.criterion-uncovered@0", "delivery.criterion-uncovered@0",
                "delivery.evidence-not-found@1", "delivery.unknown-criterion@3",
            ])
        #expect(
            findings.filter { $0.rule == "delivery.criterion-uncovered" }.map(\.message).sorted()
                == ["AC-2 has no evidence in the delivery note", "AC-3 has no evidence in the delivery note"])
        files["specs/PAY-142/delivery/DELIVERY.md"] = nil
        #expect(
            try DeliveryCheck.check(packetFolder: "specs/PAY-142", criteria: criteria, in: MemoryTreeView(files))
                .map(\.rule) == ["delivery.missing"])
    }

    @Test("evidence is told apart: URLs, commit ids, paths")
    func evidenceKinds() {
        #expect(
            DeliveryCheck.parseEvidence("AC-1: https://x.example/a, deadbeef1, docs/a.md, `b.md`") == [
                .url("https://x.example/a"), .commit("deadbeef1"), .path("docs/a.md"), .path("b.md"),
            ])
    }
}

@Suite("Policy")
struct PolicyTests {
    @Test("the policy can raise or lower a rule's severity and rename required sections")
    func overrides() throws {
        let id = PacketID("PAY-142")!
        var files = PacketTemplate.example()
        files["specs/PAY-142/contracts/openapi.yaml"] = files["specs/PAY-142/contracts/openapi.yaml"]!
            .replacingOccurrences(of: "operationId: createRefund", with: "x-note: none")
        files["specs/PAY-142/context.md"] = files["specs/PAY-142/context.md"]!
            .replacingOccurrences(of: "## Out of scope", with: "## Non-goals")
        let view = MemoryTreeView(files)
        let strict = PacketChecker(
            configuration: CheckConfiguration(
                requiredSections: ["Background", "System context", "Dependencies", "Non-goals"],
                severityOverrides: ["contracts.operation-id-missing": .error]))
        let report = try strict.check(id, in: view)
        #expect(report.findings.map { "\($0.rule) \($0.severity)" } == ["contracts.operation-id-missing error"])
        #expect(!report.isReady)
        let lenient = PacketChecker(configuration: CheckConfiguration(severityOverrides: ["context.section-missing": .warning]))
        let relaxed = try lenient.check(id, in: view)
        #expect(relaxed.isReady)
        #expect(relaxed.findings.map(\.severity) == [.warning, .warning])
    }
}

@Suite("Gherkin")
struct GherkinTests {
    static let valid = """
        # language: en
        @payments
        Feature: Partial refunds
          Agents refund part of a captured payment.

          Background:
            Given a captured payment of 100.00 EUR

          @AC-1
          Scenario: Refund part of a payment
            When a refund of 30.00 EUR is posted
            Then the response is 201
            And the refundable amount is:
              | currency | amount |
              | EUR      | 70.00  |

          Rule: refunds never exceed the capture
            @AC-2
            Scenario Outline: Refund too much
              When a refund of <amount> EUR is posted
              Then the response is 422
              \"\"\"
              {"error": "amount exceeds refundable"}
              \"\"\"

              Examples:
                | amount |
                | 100.01 |
                | 500.00 |

        """

    @Test("a well-formed feature file has no findings")
    func valid() {
        #expect(GherkinCheck.check(Self.valid, file: "f") == [])
    }

    @Test(
        "each structural defect is reported on its line",
        arguments: [
            ("Scenario: x\n  Given y\n", 1, "expected 'Feature:'"),
            ("Feature: a\nFeature: b\n", 2, "second Feature"),
            ("Feature: a\n  Given y\n", 2, "outside a scenario"),
            ("Feature: a\n  Scenario: s\n    Given y\n  Examples:\n    | a |\n    | 1 |\n", 4, "belongs to a Scenario Outline"),
            ("Feature: a\n  Scenario Outline: s\n    Given <a>\n", 2, "no Examples"),
            ("Feature: a\n  Scenario: s\n    Given y\n      | a | b |\n      | 1 |\n", 5, "1 cell(s), the table has 2"),
            ("Feature: a\n  Scenario: s\n    Given y\n      \"\"\"\n      text\n", 4, "never closed"),
            ("Feature: a\n  Scenario: s\n    Given y\n    the system is fast\n", 4, "expected a step"),
            ("Feature: a\n  Scenario Outline: s\n    Given <a>\n    Examples:\n      | a |\n", 5, "header but no rows"),
        ])
    func defects(_ text: String, line: Int, message: String) {
        let findings = GherkinCheck.check(text, file: "f")
        #expect(findings.map(\.rule) == ["acceptance.gherkin-invalid"], "\(findings.map(\.formatted))")
        #expect(findings.first?.line == line)
        #expect(findings.first?.message.contains(message) == true, "\(findings.map(\.message))")
    }
}

@Suite("Policy file")
struct PolicyFileTests {
    @Test("a full policy is read into the check configuration and roles")
    func full() {
        let (policy, findings) = Policy.parse(
            """
            packet_root: handoffs
            required_sections: [Background, Non-goals]
            severity:
              contracts.operation-id-missing: error
              acceptance.vague-term: info
            limits: { max_file_bytes: 65536, max_yaml_depth: 32 }
            roles:
              client: ["*@acme.example"]
              contractor: [dev@contractor.example]
              reviewer: [ana@acme.example]
            require_ready: true

            """)
        #expect(findings == [])
        #expect(policy.packetRoot == "handoffs")
        #expect(policy.checkConfiguration.requiredSections == ["Background", "Non-goals"])
        #expect(policy.severityOverrides == ["contracts.operation-id-missing": .error, "acceptance.vague-term": .info])
        #expect(policy.limits.maxFileBytes == 65_536 && policy.limits.maxYAMLDepth == 32 && policy.limits.maxEntriesPerPacket == 1_000)
        #expect(policy.roles["contractor"] == ["dev@contractor.example"])
        #expect(policy.requireReady)
    }

    @Test(
        "a packet root that git would take for .git on some platform is refused; lookalikes are not",
        arguments: [
            (".git", true), (".GIT", true), ("specs/.Git", true), (".git.", true), (".git. . ", true), ("git~1", true), ("GIT~1.", true),
            (".git::$INDEX_ALLOCATION", true), (".g\u{200C}it", true), ("\u{FEFF}.git", true), (".gi\u{206F}t", true),
            ("specs", false), (".github", false), ("git", false), ("git~2", false), (".gitx", false), ("x.git", false),
        ])
    func gitDirectoryRoots(root: String, refused: Bool) {
        // Written under it, a status file would make a tree whose checkout writes into .git (NTFS and HFS+ map
        // these names onto it), and the tree writer refuses it: every run would fail, the repository stalled.
        #expect(GitPath.isGitDirectoryName(String(root.split(separator: "/").last!)) == refused)
        let (policy, findings) = Policy.parse("packet_root: \"\(root)\"\n")
        #expect(findings.map(\.rule) == (refused ? ["policy.invalid"] : []), "\(root)")
        #expect(policy.packetRoot == (refused ? "specs" : root))
    }

    @Test("every bad value is a finding on its line; the rest of the policy still applies")
    func problems() {
        let (policy, findings) = Policy.parse(
            """
            packet_root: ../outside
            severity: { no.such-rule: error, manifest.invalid: fatal }
            limits: { max_file_bytes: 10 }
            roles: { operator: ["*@acme.example"], client: [not-an-email] }
            colour: blue
            required_sections: [Background]

            """)
        #expect(
            findings.map { "\($0.rule)@\($0.line)" } == [
                "policy.invalid@1", "policy.invalid@2", "policy.invalid@2",
                "policy.invalid@3", "policy.invalid@4", "policy.invalid@4", "policy.invalid@5",
            ])
        #expect(policy.packetRoot == "specs")
        #expect(policy.requiredSections == ["Background"])
        #expect(Policy.parse("roles: [x\n").1.map(\.rule) == ["policy.invalid"])
        #expect(Policy.parse("").1 == [])
    }

    @Test("`METHOD /path` pairs are found through code ticks, quotes, brackets and punctuation, queries dropped")
    func namedOperations() {
        let text = "Calls `POST /payments/{id}/refunds`, then (GET /refunds?limit=5). \"DELETE\" /r/é; get /x; POST refunds"
        #expect(
            AcceptanceCheck.namedOperations(in: text).map { "\($0.method) \($0.path)" }
                == ["POST /payments/{id}/refunds", "GET /refunds", "DELETE /r/é"])
        #expect(AcceptanceCheck.namedOperations(in: "POST").isEmpty)
        #expect(AcceptanceCheck.namedOperations(in: "`` POST ``").isEmpty)
        #expect(AcceptanceCheck.namedOperations(in: "\tPUT\t/a\nPATCH  \"/b\"").map(\.path) == ["/a", "/b"])
    }

    @Test("operationIds in code spans: introduced by the word before or followed by a phrase, in any case")
    func namedOperationIDs() {
        let text = "It CALLS `createRefund`, then `getRefund`   Is Called twice; `plain` alone; operation `x-y`; `ok_2` endpoint"
        #expect(AcceptanceCheck.namedOperationIDs(in: text) == ["createRefund", "getRefund", "ok_2"])
        #expect(AcceptanceCheck.namedOperationIDs(in: "calls `réembourser` \u{00A0}returns").count == 1)
        #expect(AcceptanceCheck.namedOperationIDs(in: "one `tick").isEmpty)
    }

    @Test("links leave the repository by scheme in any case, as bytes for ASCII and as Characters otherwise")
    func linkResolution() {
        for external in [
            "HTTPS://x.example", "MailTo:a@b.example", "TEL:+1", "Data:text/plain,x", "//cdn.example/x", "#top", "?q", "ftp://é.example",
        ] {
            #expect(LinkCheck.resolve(external, from: "specs/P-1/context.md") == .external, "\(external)")
        }
        #expect(LinkCheck.resolve("../P-2/notes.md#part?x", from: "specs/P-1/context.md") == .path("specs/P-2/notes.md"))
        #expect(LinkCheck.resolve("a/é.md?x#y", from: "specs/P-1/context.md") == .path("specs/P-1/a/é.md"))
        #expect(LinkCheck.resolve("../../../x", from: "specs/P-1/context.md") == .outside)
        #expect(LinkCheck.resolve("mail:to", from: "specs/P-1/context.md") == .path("specs/P-1/mail:to"))
    }
}
