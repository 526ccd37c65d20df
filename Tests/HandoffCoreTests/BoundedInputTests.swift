import Foundation
import Testing

@testable import HandoffCore

/// Issue 11, item 6: YAML is screened on libyaml's events before any node is built, and what one packet
/// can report is bounded.
@Suite("Bounded input")
struct BoundedInputTests {
    static let manifest = "specs/PAY-142/handoff.yaml"

    /// Nine levels of nine aliases each (9⁹ copies once expanded), after `prefix`.
    static func billionLaughs(after prefix: String) -> String {
        var text = prefix + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...9 {
            let previous = level == 1 ? "a" : "l\(level - 1)"
            text += "l\(level): &l\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        return text
    }

    @Test("a billion laughs behind a quote inside a plain scalar is refused at its first alias, with file, line, rule and hint")
    func laughsBehindAQuote() throws {
        // The old lexical scan took the quote after a space for the start of a quoted string and missed every alias.
        let bomb = Self.billionLaughs(after: "id: PAY-142\ntitle: it 'works\n")
        let refusal = try #require(YAMLInput.screen(bomb, maxDepth: 64, maxNodes: 100_000).refusal)
        #expect(refusal.problem == .alias(name: "a"))
        #expect(refusal.line == 4)

        var files = PacketTemplate.example()
        files[Self.manifest] = bomb
        files["specs/PAY-142/contracts/openapi.yaml"] = Self.billionLaughs(after: "openapi: 3.1.0\ninfo: {title: it 'works, version: '1'}\n")
        let report = try PacketCheckerTests.check(files)
        let manifest = try #require(report.findings.first { $0.rule == "manifest.invalid" })
        #expect(manifest.file == Self.manifest && manifest.line == 4 && manifest.column == 10)
        #expect(manifest.message == "YAML alias (*a) found; aliases are not accepted in packets")
        #expect(manifest.hint.hasPrefix("Write the value out in full"))
        let contract = try #require(report.findings.first { $0.rule == "contracts.parse-error" })
        #expect(contract.file == "specs/PAY-142/contracts/openapi.yaml" && contract.line == 4)
        #expect(!report.isReady)
    }

    @Test("quotes, asterisks and hashes in plain scalars, comments and block scalars are text, not structure")
    func textThatLooksLikeStructure() throws {
        var files = PacketTemplate.example()
        files[Self.manifest] = """
            id: PAY-142   # *not an alias
            title: it 'works *here* too
            scope: finite
            client: pay*ments
            reviewers: [ana@acme.example]
            estimate: |
              *this* is a block scalar 'with a quote
                and * stays text
            depends_on: []

            """
        #expect(try PacketCheckerTests.check(files).findings == [])
    }

    @Test("nesting deeper than the limit and more values than the limit are refused before composing")
    func depthAndNodeCount() throws {
        let flow = "id: " + String(repeating: "[", count: 100_000) + "\n"
        #expect(YAMLInput.screen(flow, maxDepth: 64, maxNodes: 100_000).refusal?.problem == .tooDeep(limit: 64))
        let block = (0..<400).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        #expect(YAMLInput.screen(block, maxDepth: 64, maxNodes: 100_000).refusal?.problem == .tooDeep(limit: 64))
        let wide = "values: [" + Array(repeating: "1", count: 100_001).joined(separator: ",") + "]\n"
        let refusal = try #require(YAMLInput.screen(wide, maxDepth: 64, maxNodes: 100_000).refusal)
        #expect(refusal.problem == .tooManyNodes(limit: 100_000))
        #expect(refusal.line == 1)
        var files = PacketTemplate.example()
        files[Self.manifest] = wide
        let finding = try #require(try PacketCheckerTests.check(files).findings.first { $0.rule == "manifest.invalid" })
        #expect(finding.message.contains("100000 values"))
        // Exactly at the limits is accepted.
        #expect(
            YAMLInput.screen("[" + Array(repeating: "1", count: 99_999).joined(separator: ",") + "]", maxDepth: 1, maxNodes: 100_000).refusal == nil)
    }

    @Test("syntax errors keep their line and column")
    func syntaxErrors() throws {
        let refusal = try #require(YAMLInput.screen("id: PAY-142\ntitle: [unclosed\nscope: finite\n", maxDepth: 64, maxNodes: 100).refusal)
        guard case .syntax = refusal.problem else {
            Issue.record("expected a syntax refusal, got \(refusal.problem)")
            return
        }
        #expect(refusal.line >= 2 && refusal.column > 0)
    }

    /// 16,000 criteria, each with vague and unobservable wording: tens of thousands of warnings.
    static let noisyCriteria = (1...16_000).map { "- [ ] AC-\($0): it is fast.\n" }.joined()

    @Test("tens of thousands of findings keep the first ones per rule and one summary each; counts and score stay exact")
    func findingsAreCapped() throws {
        let raw = AcceptanceCheck.checkMarkdown(Self.noisyCriteria, file: "specs/PAY-142/acceptance.md").findings
        try #require(raw.count > 10_000, "the fixture must be noisy: \(raw.count) finding(s)")
        var files = PacketTemplate.example()
        files["specs/PAY-142/acceptance.md"] = Self.noisyCriteria
        let report = try PacketCheckerTests.check(files)
        let byRule = Dictionary(grouping: report.findings, by: \.rule)
        let limit = CheckLimits.default.maxFindingsPerRule
        for (rule, findings) in byRule {
            let listed = findings.filter { !$0.message.contains("are not listed") }
            #expect(listed.count <= limit, "\(rule): \(listed.count)")
        }
        let summaries = report.findings.filter { $0.severity == .info && $0.message.contains("are not listed") }
        #expect(!summaries.isEmpty)
        // Every finding is counted: the listed ones plus the omitted ones.
        let warnings = raw.count { $0.severity == .warning }
        #expect(report.warningCount == warnings)
        #expect(report.omitted.values.reduce(0, +) == raw.count - report.findings.count + summaries.count)
        #expect(report.score == 0)
        #expect(report.criteria.count == 16_000)

        var status = PacketStatus(id: PacketCheckerTests.id, since: "2026-01-01T00:00:00Z", specRevision: String(repeating: "a", count: 40))
        status.absorb(report)
        let text = StatusFile.render(status)
        #expect(text.utf8.count < 1 << 20, "status.yaml is \(text.utf8.count) bytes")
        let readBack = try StatusFile.parse(text)
        #expect(readBack.warnings == warnings && readBack.findings == status.findings)
    }

    @Test("a message quoting a huge value is cut, so one finding cannot fill a status file")
    func longMessagesAreCut() throws {
        var files = PacketTemplate.example()
        files[Self.manifest] =
            "id: PAY-142\ntitle: Refunds\nscope: finite\nclient: payments\nreviewers: [\(String(repeating: "x", count: 200_000))]\n"
        let report = try PacketCheckerTests.check(files)
        let finding = try #require(report.findings.first { $0.rule == "manifest.invalid" })
        #expect(finding.message.count <= 1_001 && finding.message.hasSuffix("…"))
    }
}
