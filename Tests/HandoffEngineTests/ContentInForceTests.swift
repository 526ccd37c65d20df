import Foundation
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// Issue 11, item 3: what a refused change left in the tree is never judged; the version in force is the
/// last one committed by someone allowed to change it, restored on the watched branch, named on a status branch.
@Suite("Content in force", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct ContentInForceTests {
    typealias World = WorkflowScenarioTests.World

    static let acceptance = "specs/PAY-142/acceptance.md"

    /// Policy, PAY-142 ready with rita as reviewer, claimed by dev.
    static func claimed(_ world: World) throws -> String {
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        var packet = PacketTemplate.example()
        packet["specs/PAY-142/handoff.yaml"] = packet["specs/PAY-142/handoff.yaml"]!.replacingOccurrences(
            of: "ana@acme.example", with: "rita@acme.example")
        try world.step("ana", "Add PAY-142") { clone in for (path, text) in packet { try world.write(text, path, in: clone) } }
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142")
        #expect(try world.state() == "in_progress")
        return packet[Self.acceptance]!
    }

    /// The contractor's edit of acceptance.md that drops AC-3.
    static func dropAC3(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("AC-3") }.joined(separator: "\n")
    }

    static func deliverTwo(_ world: World, _ clone: String) throws {
        try world.write("- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.example/1\n", "specs/PAY-142/delivery/DELIVERY.md", in: clone)
    }

    @Test("watched branch: a contractor's deletion of AC-3 is refused, named in the status, and written back by the next status commit")
    func restoredOnWatchedBranch() throws {
        let world = try World()
        let original = try Self.claimed(world)
        #expect(original.contains("AC-3"))
        try world.step("dev", "Fewer criteria") { try world.write(Self.dropAC3(original), Self.acceptance, in: $0) }
        let status = try world.show("specs/PAY-142/status.yaml")
        #expect(status.contains("rejected: only clients and operators may change a packet outside delivery/"))
        #expect(status.contains("not_in_force:\n  - path: \"\(Self.acceptance)\""), "\(status)")
        #expect(try world.show(Self.acceptance) == original.trimmingCharacters(in: .newlines), "the status commit writes the version in force back")
        #expect(try world.show(".handoff/board.md").contains("## Not in force (1)"))
        // The next input commit sees the file restored under it: nothing is held any more.
        try world.step("dev", "Deliver part\n\nHandoff: submit PAY-142") { try Self.deliverTwo(world, $0) }
        #expect(try world.state() == "in_progress")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("rejected: delivery note incomplete"))
        #expect(try !world.show("specs/PAY-142/status.yaml").contains("not_in_force"))
        #expect(try world.replayDisagreements() == [])
    }

    @Test("a held file's name composed is not released by the same name decomposed, a different file to git")
    func heldNameByBytes() throws {
        let world = try World(statusBranch: "handoff/status")
        _ = try Self.claimed(world)
        let composed = "specs/PAY-142/notes/caf\u{E9}.md", decomposed = "specs/PAY-142/notes/cafe\u{301}.md"
        try world.step("ana", "Notes") { try world.write("Agreed wording.\n", composed, in: $0) }
        try world.step("dev", "Reword the notes") { try world.write("My wording.\n", composed, in: $0) }
        #expect(try world.show("specs/PAY-142/status.yaml").contains("not_in_force:"))
        // The other file, holding the version in force, must not release the hold on the first.
        try world.step("dev", "Another note") { try world.write("Agreed wording.\n", decomposed, in: $0) }
        let status = try world.show("specs/PAY-142/status.yaml")
        #expect(status.contains("not_in_force:"), "\(status)")
        // Both files are held now (the second was a contractor's spec change too), listed in git's byte order:
        // sorted as Strings they compare equal, and their order followed dictionary order, run by run.
        #expect(status.contains("cafe\u{301}.md\"\n    refused_by") && status.contains("caf\u{E9}.md\"\n    refused_by"))
        #expect(try world.replayDisagreements() == [])
    }

    @Test(
        "a merge's own changes are told apart by bytes: a Kelvin-sign twin added in the merge does not make the client's merged change the merger's")
    func mergeTwinByBytes() throws {
        let world = try World(statusBranch: "handoff/status")
        _ = try Self.claimed(world)
        let notes = "specs/PAY-142/notes/Kunden.md", twin = "specs/PAY-142/notes/\u{212A}unden.md"
        #expect(notes.hasSuffix("Kunden.md") && twin.hasSuffix("Kunden.md"))  // equal to Swift, two files to git
        try world.step("ana", "Notes") { try world.write("v1\n", notes, in: $0) }
        // The client revises the notes on a side branch; the contractor merges it and adds the twin in the merge.
        let ana = "\(world.sandbox.root)/ana", dev = "\(world.sandbox.root)/dev"
        try world.runGit(["checkout", "-q", "-b", "side"], in: ana)
        try world.write("v2, the client's\n", notes, in: ana)
        try world.runGit(["commit", "-q", "-am", "Revise the notes"], in: ana)
        try world.sandbox.git(["push", "-q", "origin", "side"], in: ana)
        try world.sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: dev)
        try world.sandbox.git(["fetch", "-q", "origin", "side"], in: dev)
        try world.runGit(["merge", "-q", "--no-ff", "--no-commit", "FETCH_HEAD"], in: dev)
        try world.write("the contractor's\n", twin, in: dev)
        try world.sandbox.git(["add", "-A"], in: dev)
        try world.runGit(["commit", "-q", "-m", "Merge the notes"], in: dev)
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: dev)
        try world.processor.run(repositoryAt: world.bare)
        let status = try world.show("specs/PAY-142/status.yaml")
        // Compared as bytes: String's `contains` would find the one in the other.
        func holds(_ path: String) -> Bool { Array(status.utf8).firstRange(of: Array("path: \"\(path)\"".utf8)) != nil }
        #expect(holds(twin), "the contractor's added twin is held\n\(status)")
        #expect(!holds(notes), "the client's merged change is in force\n\(status)")
        #expect(try world.replayDisagreements() == [])
    }

    @Test(
        "status branch: the edit stays in the tree but is never judged; a submit covering AC-1 and AC-2 is refused; a client's edit on top builds on it until restored"
    )
    func namedOnStatusBranch() throws {
        let world = try World(statusBranch: "handoff/status")
        let original = try Self.claimed(world)
        try world.step("dev", "Fewer criteria") { try world.write(Self.dropAC3(original), Self.acceptance, in: $0) }
        #expect(try world.sandbox.git(["show", "main:\(Self.acceptance)"], in: world.bare).contains("AC-3") == false, "main keeps the edit")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("not_in_force:"))
        // Judged against the criteria in force: AC-3 is still required.
        try world.step("dev", "Deliver\n\nHandoff: submit PAY-142") { try Self.deliverTwo(world, $0) }
        #expect(try world.state() == "in_progress")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("rejected: delivery note incomplete"))
        // A client editing on top of the refused change does not bless it.
        try world.step("ana", "Reword") { try world.write(Self.dropAC3(original) + "\nMore context.\n", Self.acceptance, in: $0) }
        #expect(try world.show("specs/PAY-142/status.yaml").contains("is not in force: it holds a refused change"))
        // Restored to its version in force by anyone, the file is released, and the client's next edit counts.
        try world.step("dev", "Put AC-3 back") { try world.write(original, Self.acceptance, in: $0) }
        #expect(try !world.show("specs/PAY-142/status.yaml").contains("not_in_force"))
        try world.step("ana", "Reword for real") { try world.write(original + "\nMore context.\n", Self.acceptance, in: $0) }
        #expect(
            try world.show("specs/PAY-142/status.yaml").contains(
                "action: \"spec-change\"\n    from: in_progress\n    to: in_progress\n    note: \"spec revised\""))
        #expect(try world.replayDisagreements() == [])
    }

    @Test("status branch: a contractor's self-granted role stays out of force, and the operator's next, unrelated policy commit does not bring it in")
    func policyHeld() throws {
        let world = try World(statusBranch: "handoff/status")
        _ = try Self.claimed(world)
        let granted = WorkflowScenarioTests.policy.replacingOccurrences(
            of: "reviewer: [\"rita@acme.example\"]", with: "reviewer: [\"rita@acme.example\", \"dev@contractors.example\"]")
        try world.step("dev", "Me too") { try world.write(granted, ".handoff/policy.yaml", in: $0) }
        try world.step("ops", "Require ready") { try world.write(granted + "require_ready: false\n", ".handoff/policy.yaml", in: $0) }
        let board = try world.show(".handoff/board.md")
        #expect(board.contains("policy.not-in-force"), "\(board)")
        #expect(board.contains("| `.handoff/policy.yaml` |"))
        #expect(board.contains("reviewer: [\"rita@acme.example\"]"), "the self-granted role is not in the policy in force: \(board)")
        // dev submits, then tries to accept their own work as a reviewer: refused, not a reviewer in force.
        try world.step("dev", "Deliver\n\nHandoff: submit PAY-142") {
            let commit = try world.sandbox.git(["rev-parse", "--short", "HEAD"], in: $0)
            try world.write(
                "- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.example/1\n- AC-3: \(commit)\n", "specs/PAY-142/delivery/DELIVERY.md", in: $0)
        }
        #expect(try world.state() == "in_review")
        try world.step("dev", "Accept\n\nHandoff: accept PAY-142")
        #expect(try world.state() == "in_review")
        #expect(try world.replayDisagreements() == [])
    }
}

/// Issue 15, item 4: nothing silent. Input that asks for nothing says so on the board.
@Suite("Nothing silent", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct NothingSilentTests {
    @Test("a trailer written as the subject line and a folder not named like a packet id each leave a board event saying why")
    func boardEvents() throws {
        let world = try WorkflowScenarioTests.World()
        _ = try ContentInForceTests.claimed(world)
        try world.step("dev", "Handoff: unclaim PAY-142")
        #expect(try world.state() == "in_progress", "a subject line asks for nothing")
        try world.step("ana", "Notes") { try world.write("# draft\n", "specs/not a packet!/notes.md", in: $0) }
        try world.step("dev", "My key too") {
            try world.write("dev@contractors.example namespaces=\"git\" ssh-ed25519 AAAA\n", SignersFile.path, in: $0)
        }
        #expect(try world.show(SignersFile.path).hasPrefix("# Written by handoffd"), "written back")
        let board = try world.show(".handoff/board.md")
        #expect(board.contains("the subject line 'Handoff: unclaim PAY-142' is no trailer"), "\(board)")
        #expect(board.contains("specs/not a packet! is not named like a packet id"), "\(board)")
        #expect(board.contains(".handoff/allowed_signers is written by handoffd only; written back"), "\(board)")
        #expect(try world.replayDisagreements() == [])
    }
}
