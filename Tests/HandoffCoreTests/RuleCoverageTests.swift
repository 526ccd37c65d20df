import Foundation
import Testing

@testable import HandoffCore

/// Every rule has a packet that triggers it and a near-miss that does not (readiness issue, AC-1).
@Suite("Rule coverage")
struct RuleCoverageTests {
    typealias Files = [String: [UInt8]]
    static let folder = "specs/PAY-142/"
    static let completeDelivery = "- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.acme.example/runs/1\n- AC-3: 0123abcd\n"

    /// The example packet, its delivery note and a second packet it may depend on.
    static var base: Files {
        var files = PacketTemplate.example().mapValues { Array($0.utf8) }
        files[folder + "delivery/DELIVERY.md"] = Array(completeDelivery.utf8)
        for (path, text) in PacketTemplate.example() {
            files[path.replacingOccurrences(of: "PAY-142", with: "PAY-120")] = Array(text.replacingOccurrences(of: "PAY-142", with: "PAY-120").utf8)
        }
        return files
    }

    static func text(_ files: Files, _ path: String) -> String { String(decoding: files[folder + path] ?? [], as: UTF8.self) }
    static func set(_ files: inout Files, _ path: String, _ text: String) { files[folder + path] = Array(text.utf8) }
    static func edit(_ files: inout Files, _ path: String, _ old: String, _ new: String) {
        let before = text(files, path)
        precondition(before.contains(old), "\(path) does not contain \(old)")
        set(&files, path, before.replacingOccurrences(of: old, with: new))
    }
    static func appendCriterion(_ files: inout Files, _ criterion: String) {
        set(&files, "acceptance.md", text(files, "acceptance.md") + criterion + "\n")
    }

    /// Every finding for the packet: root, packet checks and the delivery note.
    static func findings(_ files: Files, specials: [String: EntryKind] = [:]) throws -> Set<String> {
        var view = MemoryTreeView([:], specials: specials)
        view.files = files
        let (policy, policyFindings) = try Policy.load(from: view)
        let checker = PacketChecker(configuration: policy.checkConfiguration)
        let (_, rootFindings) = try checker.packetIDs(in: view)
        let report = try checker.check(PacketID("PAY-142")!, in: view)
        let delivery = try DeliveryCheck.check(packetFolder: "specs/PAY-142", criteria: report.criteria, in: view)
        return Set((policyFindings + rootFindings + report.findings + delivery).map(\.rule))
    }

    static let cases: [String: (trigger: @Sendable (inout Files) -> Void, nearMiss: @Sendable (inout Files) -> Void)] = [
        "file.too-large": (
            { set(&$0, "context.md", text($0, "context.md") + String(repeating: "word ", count: 110_000)) },
            { set(&$0, "context.md", text($0, "context.md") + String(repeating: "word ", count: 100_000)) }
        ),
        "file.not-utf8": ({ $0[folder + "context.md"]! += [0xE9] }, { $0[folder + "context.md"]! += Array("é".utf8) }),
        "file.binary": ({ $0[folder + "context.md"]! += [0x00] }, { $0[folder + "context.md"]! += [0x09] }),
        "packet.invalid-id": ({ $0["specs/bad id/x"] = [] }, { $0["specs/good-id/x"] = [] }),
        "packet.too-many-files": (
            { for n in 0..<1_000 { $0[folder + "delivery/f\(n)"] = [] } },
            { for n in 0..<900 { $0[folder + "delivery/f\(n)"] = [] } }
        ),
        "policy.invalid": (
            { $0[".handoff/policy.yaml"] = Array("packet_root: specs\nrequire_ready: maybe\n".utf8) },
            { $0[".handoff/policy.yaml"] = Array("packet_root: specs\nrequire_ready: true\n".utf8) }
        ),
        "manifest.missing": ({ $0[folder + "handoff.yaml"] = nil }, { _ in }),
        "manifest.invalid": (
            { edit(&$0, "handoff.yaml", "scope: finite", "scope: [finite") }, { edit(&$0, "handoff.yaml", "scope: finite", "scope: 'finite'") }
        ),
        "manifest.field-missing": (
            { edit(&$0, "handoff.yaml", "client: payments\n", "") }, { edit(&$0, "handoff.yaml", "client: payments", "client: billing") }
        ),
        "manifest.id-mismatch": (
            { edit(&$0, "handoff.yaml", "id: PAY-142", "id: PAY-143") }, { edit(&$0, "handoff.yaml", "id: PAY-142", "id: 'PAY-142'") }
        ),
        "manifest.scope-ongoing": ({ edit(&$0, "handoff.yaml", "scope: finite", "scope: ongoing") }, { _ in }),
        "manifest.unknown-dependency": (
            { set(&$0, "handoff.yaml", text($0, "handoff.yaml") + "depends_on: [PAY-999]\n") },
            { set(&$0, "handoff.yaml", text($0, "handoff.yaml") + "depends_on: [PAY-120]\n") }
        ),
        "context.missing": ({ $0[folder + "context.md"] = nil }, { _ in }),
        "context.section-missing": (
            { edit(&$0, "context.md", "## Dependencies", "## Deps") }, { edit(&$0, "context.md", "## Dependencies", "## dependencies") }
        ),
        "context.section-empty": (
            { edit(&$0, "context.md", "Refunds of bank transfers, the agent user interface, and currency conversion.", "None.") },
            { edit(&$0, "context.md", "Refunds of bank transfers, the agent user interface, and currency conversion.", "Nothing beyond refunds.") }
        ),
        "context.placeholder": (
            { set(&$0, "context.md", text($0, "context.md") + "\nOwner: TBD\n") },
            { set(&$0, "context.md", text($0, "context.md") + "\nTasks in the `TODO` state are ignored.\n") }
        ),
        "context.broken-link": (
            { set(&$0, "context.md", text($0, "context.md") + "\nSee [the spec](contracts/missing.yaml).\n") },
            { set(&$0, "context.md", text($0, "context.md") + "\nSee [the spec](contracts/openapi.yaml).\n") }
        ),
        "contracts.missing": ({ $0[folder + "contracts/openapi.yaml"] = nil }, { _ in }),
        "contracts.parse-error": ({ set(&$0, "contracts/openapi.yaml", "openapi: [3.1.0\n") }, { _ in }),
        "contracts.openapi-invalid": (
            { edit(&$0, "contracts/openapi.yaml", "info:\n  title: Payments refunds\n  version: 1.0.0\n", "") },
            { edit(&$0, "contracts/openapi.yaml", "title: Payments refunds", "title: Refunds") }
        ),
        "contracts.operation-id-missing": (
            { edit(&$0, "contracts/openapi.yaml", "operationId: createRefund", "summary: create") },
            { edit(&$0, "contracts/openapi.yaml", "operationId: createRefund", "operationId: postRefund") }
        ),
        "contracts.success-response-missing": (
            {
                edit(
                    &$0, "contracts/openapi.yaml", "'201':\n          description: Refund created\n          content:",
                    "'201':\n          description: Refund created\n          x-content:")
            },
            { edit(&$0, "contracts/openapi.yaml", "'201':", "'200':") }
        ),
        "contracts.error-response-missing": (
            { edit(&$0, "contracts/openapi.yaml", "'422':", "'500':") }, { edit(&$0, "contracts/openapi.yaml", "'422':", "'409':") }
        ),
        "contracts.security-undefined": (
            { edit(&$0, "contracts/openapi.yaml", "  - bearerAuth: []\n", "  - basicAuth: []\n") },
            { edit(&$0, "contracts/openapi.yaml", "security:\n  - bearerAuth: []\n", "security: []\n") }
        ),
        "contracts.schema-invalid": (
            { set(&$0, "contracts/refund.schema.json", "{\"type\": \"objekt\"}") },
            { set(&$0, "contracts/refund.schema.json", "{\"type\": \"object\"}") }
        ),
        "contracts.graphql-invalid": (
            { set(&$0, "contracts/schema.graphql", "type Query { refund: Missing }\n") },
            { set(&$0, "contracts/schema.graphql", "type Query { refund: String }\n") }
        ),
        "contracts.unknown-format": ({ set(&$0, "contracts/notes.txt", "notes\n") }, { set(&$0, "contracts/extra.yaml", "type: object\n") }),
        "acceptance.missing": (
            { $0[folder + "acceptance.md"] = nil },
            {
                $0[folder + "acceptance.md"] = nil
                set(&$0, "acceptance.feature", "Feature: f\n  @AC-1\n  Scenario: s\n    Then the response is 201\n")
            }
        ),
        "acceptance.empty": ({ set(&$0, "acceptance.md", "# Criteria\n") }, { set(&$0, "acceptance.md", "- [ ] AC-1: Then the response is 201.\n") }),
        "acceptance.id-missing": (
            { appendCriterion(&$0, "- [ ] When a refund is posted, then the response is 201.") },
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is posted, then the response is 201.") }
        ),
        "acceptance.id-duplicate": (
            { appendCriterion(&$0, "- [ ] AC-1: When a refund is posted, then the response is 201.") },
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is posted, then the response is 201.") }
        ),
        "acceptance.placeholder": (
            { appendCriterion(&$0, "- [ ] AC-4: Then the status is TBD.") },
            { appendCriterion(&$0, "- [ ] AC-4: Then the status is `TODO`.") }
        ),
        "acceptance.unknown-operation": (
            { appendCriterion(&$0, "- [ ] AC-4: When GET /refunds is called, then the response is 200.") },
            { appendCriterion(&$0, "- [ ] AC-4: When POST /payments/42/refunds is called, then the response is 201.") }
        ),
        "acceptance.vague-term": (
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is posted, then the response is returned quickly.") },
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is posted, then the response is returned within 200 ms.") }
        ),
        "acceptance.no-observable-outcome": (
            { appendCriterion(&$0, "- [ ] AC-4: Implement refund reversals.") },
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is reversed, then the payment is refundable again.") }
        ),
        "acceptance.not-singular": (
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is posted, then 201, and when it is posted again, then 409.") },
            { appendCriterion(&$0, "- [ ] AC-4: When a refund is posted twice, then the second response is 409.") }
        ),
        "acceptance.gherkin-invalid": (
            {
                $0[folder + "acceptance.md"] = nil
                set(&$0, "acceptance.feature", "@AC-1\nScenario: s\n  Then the response is 201\n")
            },
            {
                $0[folder + "acceptance.md"] = nil
                set(&$0, "acceptance.feature", "Feature: f\n  @AC-1\n  Scenario: s\n    Then the response is 201\n")
            }
        ),
        "delivery.missing": ({ $0[folder + "delivery/DELIVERY.md"] = nil }, { _ in }),
        "delivery.criterion-uncovered": ({ edit(&$0, "delivery/DELIVERY.md", "- AC-3: 0123abcd\n", "") }, { _ in }),
        "delivery.unknown-criterion": ({ set(&$0, "delivery/DELIVERY.md", completeDelivery + "- AC-9: 0123abcd\n") }, { _ in }),
        "delivery.evidence-not-found": (
            { edit(&$0, "delivery/DELIVERY.md", "contracts/openapi.yaml", "contracts/missing.yaml") },
            { edit(&$0, "delivery/DELIVERY.md", "contracts/openapi.yaml", "/specs/PAY-142/contracts/openapi.yaml") }
        ),
    ]

    @Test("the example packet with its delivery note triggers nothing")
    func baseIsClean() throws {
        #expect(try Self.findings(Self.base) == [])
    }

    @Test("every rule of the catalogue has a case here")
    func everyRuleCovered() {
        // The budget is a commit's, not a packet's: CheckBudgetTests trigger it and show its near-miss.
        let covered = Set(Self.cases.keys).union(["packet.unsupported-entry", "packet.check-budget-exhausted"])
        #expect(Set(Rule.all.map(\.id)).subtracting(covered) == [])
    }

    @Test("each rule fires on its trigger and stays silent on its near-miss", arguments: Array(cases.keys).sorted())
    func triggerAndNearMiss(_ rule: String) throws {
        let (trigger, nearMiss) = try #require(Self.cases[rule])
        var triggered = Self.base
        trigger(&triggered)
        #expect(try Self.findings(triggered).contains(rule), "trigger did not raise \(rule)")
        var nearly = Self.base
        nearMiss(&nearly)
        #expect(try !Self.findings(nearly).contains(rule), "near-miss raised \(rule)")
    }

    @Test("symlinks and submodules are unsupported entries; regular files next to them are not")
    func unsupportedEntry() throws {
        #expect(try Self.findings(Self.base, specials: ["specs/PAY-142/contracts/link.yaml": .symlink]).contains("packet.unsupported-entry"))
        #expect(try Self.findings(Self.base, specials: ["specs/PAY-142/vendor": .submodule]).contains("packet.unsupported-entry"))
        #expect(try !Self.findings(Self.base).contains("packet.unsupported-entry"))
    }
}
