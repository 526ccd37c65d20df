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
}
