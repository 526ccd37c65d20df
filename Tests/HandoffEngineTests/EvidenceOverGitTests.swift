import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// Issue 11, item 9: commit ids given as evidence are looked up in the submitting commit's history.
@Suite("Delivery evidence over git", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct EvidenceOverGitTests {
    @Test(
        "a submit naming a commit that does not exist, one on another branch, or another packet's folder is refused; a commit of its history passes")
    func commitEvidence() throws {
        let world = try WorkflowScenarioTests.World()
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142 and PAY-143") { clone in
            for (path, text) in PacketTemplate.example() {
                try world.write(text, path, in: clone)
                try world.write(
                    text.replacingOccurrences(of: "PAY-142", with: "PAY-143"), path.replacingOccurrences(of: "PAY-142", with: "PAY-143"), in: clone)
            }
        }
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142")
        // A commit that exists in the repository, but only on a side branch.
        let dev = "\(world.sandbox.root)/dev"
        try world.sandbox.git(["checkout", "-q", "-b", "side"], in: dev)
        try world.sandbox.write("side work\n", to: "side.txt", in: dev)
        try world.sandbox.git(["add", "-A"], in: dev)
        try world.runGit(["commit", "-q", "-m", "side"], in: dev)
        let side = try world.sandbox.git(["rev-parse", "HEAD"], in: dev)
        try world.sandbox.git(["push", "-q", "origin", "side"], in: dev)
        try world.sandbox.git(["checkout", "-q", "main"], in: dev)

        let note = "- AC-1: 0123abcd\n- AC-2: \(side.prefix(10))\n- AC-3: ../PAY-143/contracts/openapi.yaml\n"
        try world.step("dev", "Deliver\n\nHandoff: submit PAY-142") { try world.write(note, "specs/PAY-142/delivery/DELIVERY.md", in: $0) }
        #expect(try world.state() == "in_progress")
        let status = try world.show("specs/PAY-142/status.yaml")
        #expect(status.contains("names commit 0123abcd, which is not in the history of the submitting commit"), "\(status)")
        #expect(status.contains("names commit \(side.prefix(10)), which is not in the history of the submitting commit"))
        #expect(status.contains("resolves to specs/PAY-143/contracts/openapi.yaml, inside packet PAY-143's folder"))

        try world.step("dev", "Deliver again\n\nHandoff: submit PAY-142") { clone in
            let commit = try world.sandbox.git(["rev-parse", "--short=9", "HEAD~1"], in: clone)
            try world.write(
                "- AC-1: \(commit)\n- AC-2: https://ci.example/2\n- AC-3: contracts/openapi.yaml\n", "specs/PAY-142/delivery/DELIVERY.md", in: clone)
        }
        #expect(try world.state() == "in_review")
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        #expect(try world.show("specs/PAY-142/status.yaml") + "\n" == replayed["specs/PAY-142/status.yaml"])
    }
}
