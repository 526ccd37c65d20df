import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// Issue 11, item 6: no packet can stop a repository's status from advancing.
@Suite("Bounded input over git", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct BoundedInputOverGitTests {
    /// 16,000 criteria that are all warnings (vague, no observable outcome): ready, but very noisy.
    static let noisyCriteria = (1...16_000).map { "- [ ] AC-\($0): it is fast.\n" }.joined()

    @Test("a billion laughs behind a quote and a packet of tens of thousands of warnings: small status files, and a later claim is processed")
    func hostilePacketsThenAClaim() throws {
        let world = try WorkflowScenarioTests.World()
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "A noisy packet and a hostile one") { clone in
            for (path, text) in PacketTemplate.example() {
                try world.write(text, path, in: clone)
                try world.write(text, path.replacingOccurrences(of: "PAY-142", with: "BAD-1"), in: clone)
            }
            try world.write(Self.noisyCriteria, "specs/PAY-142/acceptance.md", in: clone)
            var bomb = "id: BAD-1\ntitle: it 'works\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
            for level in 1...9 {
                bomb += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n"
            }
            try world.write(bomb, "specs/BAD-1/handoff.yaml", in: clone)
        }
        let hostile = try world.show("specs/BAD-1/status.yaml")
        #expect(hostile.contains("state: draft"))
        #expect(hostile.contains("\"YAML alias (*a) found; aliases are not accepted in packets\""))

        let noisy = try world.show("specs/PAY-142/status.yaml")
        #expect(try world.state() == "ready")
        #expect(noisy.utf8.count < 1 << 20, "status.yaml is \(noisy.utf8.count) bytes")
        #expect(noisy.contains("are not listed; only the first \(CheckLimits.default.maxFindingsPerRule) are kept"))

        // The packet is still known: a normal claim on it is processed, and replay agrees with what was published.
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142 starting today")
        #expect(try world.state() == "in_progress")
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        #expect(try world.show("specs/PAY-142/status.yaml") + "\n" == replayed["specs/PAY-142/status.yaml"])
    }

    @Test("a commit over its check budget: its packets get a finding, the next commit is checked, a claim is processed, replay agrees")
    func overBudgetThenNormalWork() throws {
        let world = try WorkflowScenarioTests.World()
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        // 130 contracts of 512 KiB (one blob, stored once): 65 MiB to read, over the 64 MiB a commit may.
        let bulk = "\"" + String(repeating: "a", count: CheckLimits.default.maxFileBytes - 2) + "\""
        try world.step("ana", "A bulky packet and a normal one") { clone in
            for (path, text) in PacketTemplate.example() {
                try world.write(text, path, in: clone)
                try world.write(
                    text.replacingOccurrences(of: "PAY-142", with: "BIG-1"), path.replacingOccurrences(of: "PAY-142", with: "BIG-1"), in: clone)
            }
            for index in 0..<130 { try world.write(bulk, "specs/BIG-1/contracts/bulk-\(index).json", in: clone) }
        }
        let big = try world.show("specs/BIG-1/status.yaml")
        #expect(try world.state("BIG-1") == "draft")
        #expect(big.contains(Rule.checkBudgetExhausted.id))
        // Packets are checked in id order: PAY-142 comes after BIG-1 and finds the budget spent.
        #expect(try world.state() == "draft")
        #expect(try world.show("specs/PAY-142/status.yaml").contains(Rule.checkBudgetExhausted.id))

        // The run went on: the next commit that touches PAY-142 checks it in full, and a claim follows.
        try world.step("ana", "Touch PAY-142") { clone in
            try world.write(PacketTemplate.example()["specs/PAY-142/context.md"]! + "\nReviewed again.\n", "specs/PAY-142/context.md", in: clone)
        }
        #expect(try world.state() == "ready")
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142 starting today")
        #expect(try world.state() == "in_progress")
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        for id in ["BIG-1", "PAY-142"] {
            #expect(try world.show("specs/\(id)/status.yaml") + "\n" == replayed["specs/\(id)/status.yaml"])
        }
    }
}
