import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// A read-only attack review's findings, each through real pushes and the real git CLI: a commit too
/// large or too wide to read is judged (not skipped), and the hook tells a commit's refusing events
/// apart however full the board is.
@Suite("Forged input the fold once let through")
struct ForgeryReviewTests {
    typealias World = WorkflowScenarioTests.World

    /// A world with the policy and a ready PAY-142 added by the client.
    static func readyWorld(_ name: String = #function) throws -> World {
        let world = try World(name)
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
        }
        #expect(try world.state() == "ready")
        return world
    }

    /// `person`'s clone, up to date with main.
    static func fresh(_ world: World, _ person: String) throws -> String {
        let clone = "\(world.sandbox.root)/\(person)"
        try world.sandbox.git(["fetch", "-q", "origin"], in: clone)
        try world.sandbox.git(["checkout", "-q", "-B", "main", "origin/main"], in: clone)
        return clone
    }

    /// The contractor's edit to the client's acceptance criteria: a spec change they may not make.
    static func forgeCriterion(_ clone: String) throws {
        let path = "\(clone)/specs/PAY-142/acceptance.md"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text + "- AC-9: The contractor decides when the work is delivered.\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func audit(_ world: World, old: String, new: String) throws -> [PushRefusal] {
        try world.processor.audit(try Repository.open(at: world.bare), old: ObjectID(hex: old), new: try #require(ObjectID(hex: new)))
    }

    @Test("a commit over the size limit is judged as nobody's: the hook refuses it, and its spec change stays out of force")
    func oversizedCommit() throws {
        let world = try Self.readyWorld()
        let clone = try Self.fresh(world, "dev")
        let old = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        let criteria = try world.show("specs/PAY-142/acceptance.md")
        try Self.forgeCriterion(clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        let message = "\(world.sandbox.root)/message"
        try ("Small fix\n\n" + String(repeating: "padding padding padding padding\n", count: 36_000)).write(
            toFile: message, atomically: true, encoding: .utf8)
        try world.runGit(["commit", "-q", "-F", message], in: clone)
        let new = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "HEAD:refs/heads/candidate"], in: clone)

        let refusals = try Self.audit(world, old: old, new: new)
        #expect(refusals.contains { $0.reason.contains("over the limit") }, "\(refusals)")
        #expect(refusals.contains { $0.packet?.description == "PAY-142" }, "\(refusals)")

        // Pushed all the same (a server without the hook): processed while it is the tip (its time and tree
        // come from its header), then an ordinary commit on top.
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        _ = try world.processor.run(repositoryAt: world.bare)
        #expect(try world.show("specs/PAY-142/acceptance.md") == criteria)
        try world.step("ana", "Unrelated note") { try world.write("note\n", "notes/n.md", in: $0) }
        let status = try world.show("specs/PAY-142/status.yaml")
        #expect(status.contains("cannot be read whole"), "\(status)")
        #expect(try world.show(".handoff/board.md").contains("over the limit"))
        // handoffd wrote the criteria in force back over the forged file: the client's, as before.
        #expect(try world.show("specs/PAY-142/acceptance.md") == criteria)
        #expect(try world.state() == "ready")
        #expect(try world.replayDisagreements().isEmpty)
    }

    @Test("a merge of more parents than the limit is judged as nobody's; repeated parents count once")
    func wideMerges() throws {
        let world = try Self.readyWorld()
        let clone = try Self.fresh(world, "dev")
        let base = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try Self.forgeCriterion(clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        let tree = try world.sandbox.git(["write-tree"], in: clone)
        let baseTree = try world.sandbox.git(["rev-parse", "HEAD^{tree}"], in: clone)
        var sides: [String] = []
        for index in 0..<18 {  // two more than a merge may have (CommitReader.maxParents)
            sides.append(try world.sandbox.git(["commit-tree", baseTree, "-p", base, "-m", "side \(index)"], in: clone))
        }
        let wide = try world.sandbox.git(
            ["commit-tree", tree, "-p", base] + sides.flatMap { ["-p", $0] } + ["-m", "Octopus"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "\(wide):refs/heads/candidate"], in: clone)
        let refusals = try Self.audit(world, old: base, new: wide)
        #expect(refusals.contains { $0.reason.contains("parents, over the limit") }, "\(refusals)")

        // The same parent a thousand times (git never writes that; hash-object --literally does) is one parent:
        // the claim in it is the contractor's, judged as usual and quickly.
        var raw = "tree \(baseTree)\nparent \(base)\n"
        raw += String(repeating: "parent \(sides[0])\n", count: 1_000)
        raw += "author dev <\(WorkflowScenarioTests.contractor)> 1795000000 +0000\n"
        raw += "committer dev <\(WorkflowScenarioTests.contractor)> 1795000000 +0000\n\nClaim\n\nHandoff: claim PAY-142\n"
        let rawFile = "\(world.sandbox.root)/raw-commit"
        try raw.write(toFile: rawFile, atomically: true, encoding: .utf8)
        let repeated = try world.sandbox.git(["hash-object", "--literally", "-t", "commit", "-w", rawFile], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "\(repeated):refs/heads/repeated"], in: clone)
        #expect(try Self.audit(world, old: base, new: repeated).isEmpty)
        try world.sandbox.git(["push", "-q", "origin", "\(repeated):refs/heads/main"], in: clone)
        _ = try world.processor.run(repositoryAt: world.bare)
        #expect(try world.state() == "in_progress")
        #expect(try world.replayDisagreements().isEmpty)
    }

    @Test("a folder nested deeper than the diff walks is judged, not a stall: the hook refuses it, the next claim is processed")
    func deepFolder() throws {
        let world = try Self.readyWorld()
        let clone = try Self.fresh(world, "dev")
        let old = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        let deep = "specs/PAY-142/contracts/" + Array(repeating: "d", count: Repository.maxTreeDepth + 20).joined(separator: "/")
        try FileManager.default.createDirectory(atPath: "\(clone)/\(deep)", withIntermediateDirectories: true)
        try world.write("x\n", "\(deep)/x.txt", in: clone)
        try Self.forgeCriterion(clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        try world.runGit(["commit", "-q", "-m", "Deep"], in: clone)
        let new = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "HEAD:refs/heads/candidate"], in: clone)
        let refusals = try Self.audit(world, old: old, new: new)
        #expect(refusals.contains { $0.reason.contains("nest deeper") }, "\(refusals)")

        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142")
        #expect(try world.state() == "in_progress")
        #expect(try world.show(".handoff/board.md").contains("nest deeper"))
        #expect(!(try world.show("specs/PAY-142/acceptance.md").contains("AC-9")))
        #expect(try world.replayDisagreements().isEmpty)
    }

    @Test("status branch: a folder at the depth bound that becomes a file is overlaid as the input has it, and removing it is no refusal")
    func deepFolderBecomesFile() throws {
        let world = try World(statusBranch: "handoff/status")
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        let clone = try Self.fresh(world, "dev")
        let folder = "notes/" + Array(repeating: "d", count: Repository.maxTreeDepth - 2).joined(separator: "/") + "/P"
        try FileManager.default.createDirectory(atPath: "\(clone)/\(folder)", withIntermediateDirectories: true)
        try world.write("x\n", "\(folder)/x.txt", in: clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        try world.runGit(["commit", "-q", "-m", "Deep"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        _ = try world.processor.run(repositoryAt: world.bare)
        func same() throws -> Bool {
            try world.sandbox.git(["rev-parse", "handoff/status:notes"], in: world.bare)
                == world.sandbox.git(["rev-parse", "main:notes"], in: world.bare)
        }
        #expect(try same())
        let old = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try FileManager.default.removeItem(atPath: "\(clone)/\(folder)")
        try world.write("now a file\n", folder, in: clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        try world.runGit(["commit", "-q", "-m", "Folder becomes a file"], in: clone)
        let new = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        #expect(try Self.audit(world, old: old, new: new).isEmpty)
        _ = try world.processor.run(repositoryAt: world.bare)
        #expect(try same())
        #expect(try world.replayDisagreements().isEmpty)
    }

    @Test("status branch: a folder named like .git (git's defaults let it in) is carried over by a full render, not a stall")
    func dotGitVariantOnStatusBranch() throws {
        let world = try World(statusBranch: "handoff/status")
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        let clone = try Self.fresh(world, "dev")
        let blob = try world.sandbox.git(["hash-object", "-w", "--stdin"], in: clone, input: "y\n")
        let inner = try world.sandbox.git(["mktree"], in: clone, input: "100644 blob \(blob)\ty\n")
        let x = try world.sandbox.git(["mktree"], in: clone, input: "040000 tree \(inner)\t.GIT\n")
        var listing = try world.sandbox.git(["ls-tree", "HEAD"], in: clone)
        listing += "\n040000 tree \(x)\tx\n"
        let root = try world.sandbox.git(["mktree"], in: clone, input: listing)
        let commit = try world.sandbox.git(["commit-tree", root, "-p", "HEAD", "-m", "A folder named .GIT"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "\(commit):refs/heads/main"], in: clone)
        _ = try world.processor.run(repositoryAt: world.bare)
        #expect(try world.sandbox.git(["rev-parse", "handoff/status:x"], in: world.bare) == x)
        #expect(try world.replayDisagreements().isEmpty)
    }

    @Test("with the board at its bound, the hook still refuses a commit's refusing events")
    func fullBoard() throws {
        let world = try Self.readyWorld()
        // Sixty stray folders in three commits: more board events than the board keeps.
        for part in 0..<3 {
            try world.step("ops", "Strays \(part)") { clone in
                for index in 0..<20 { try world.write("x\n", "specs/_stray-\(part)-\(index)/x.md", in: clone) }
            }
        }
        let board = try world.show(".handoff/board.md")
        #expect(board.components(separatedBy: "_stray-").count - 1 >= WorkflowState.maxBoardEvents, "\(board)")
        let clone = try Self.fresh(world, "dev")
        let old = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.write(
            WorkflowScenarioTests.policy.replacingOccurrences(of: "rita@acme.example", with: "*@contractors.example"), ".handoff/policy.yaml",
            in: clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        try world.runGit(["commit", "-q", "-m", "Make myself reviewer"], in: clone)
        let new = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.sandbox.git(["push", "-q", "origin", "HEAD:refs/heads/candidate"], in: clone)
        let refusals = try Self.audit(world, old: old, new: new)
        #expect(refusals.contains { $0.reason.contains("policy") }, "\(refusals)")
    }
}
