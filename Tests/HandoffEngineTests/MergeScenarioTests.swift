import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// Issue 11, items 1 and 8: a merge's own changes are judged like any commit's, by the fold and by the
/// pre-receive hook's audit (one home: `CommitReader`); side branches are folded once; the watched
/// branch is rewritten by operators only. Real clones, merges and pushes through the git CLI.
@Suite("Merges", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct MergeScenarioTests {
    typealias World = WorkflowScenarioTests.World

    /// A world with the policy and a ready PAY-142, claimed by the contractor.
    static func claimedWorld(_ name: String = #function) throws -> World {
        let world = try World(name)
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
        }
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142")
        #expect(try world.state() == "in_progress")
        return world
    }

    /// In `person`'s clone, up to date with main: a side branch with `sides` commits (each a message and a
    /// change), merged into main with `--no-ff`; `resolve` edits the work tree before the merge is committed
    /// (an evil merge when it changes anything). Pushes nothing; returns main's tip before and after.
    @discardableResult
    static func merge(
        in world: World, as person: String, sides: [[(message: String, change: (String) throws -> Void)]],
        resolve: (String) throws -> Void = { _ in }, message: String = "Merge"
    ) throws -> (old: String, new: String) {
        let clone = "\(world.sandbox.root)/\(person)"
        try world.sandbox.git(["fetch", "-q", "origin"], in: clone)
        try world.sandbox.git(["checkout", "-q", "-B", "main", "origin/main"], in: clone)
        let old = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        var branches: [String] = []
        for (index, commits) in sides.enumerated() {
            let branch = "side\(index)"
            try world.sandbox.git(["checkout", "-q", "-B", branch, old], in: clone)
            for commit in commits {
                try commit.change(clone)
                try world.sandbox.git(["add", "-A"], in: clone)
                try world.runGit(["commit", "-q", "--allow-empty", "-m", commit.message], in: clone)
            }
            branches.append(branch)
        }
        try world.sandbox.git(["checkout", "-q", "main"], in: clone)
        try world.runGit(["merge", "-q", "--no-ff", "--no-commit"] + branches, in: clone)
        try resolve(clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        try world.runGit(["commit", "-q", "--allow-empty", "-m", message], in: clone)
        return (old, try world.sandbox.git(["rev-parse", "HEAD"], in: clone))
    }

    static func push(_ world: World, as person: String) throws {
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: "\(world.sandbox.root)/\(person)")
    }

    static func audit(_ world: World, _ tips: (old: String, new: String)) throws -> [PushRefusal] {
        let repository = try Repository.open(at: world.bare)
        return try world.processor.audit(
            repository, old: try #require(ObjectID(hex: tips.old) as ObjectID?), new: try #require(ObjectID(hex: tips.new) as ObjectID?))
    }

    @Test("a status file forged inside a merge is tampering: refused by the hook, written back by the fold")
    func statusForgedInMerge() throws {
        let world = try Self.claimedWorld()
        let tips = try Self.merge(
            in: world, as: "dev", sides: [[("notes", { try world.write("# notes\n", "NOTES.md", in: $0) })]],
            resolve: { clone in
                let path = "\(clone)/specs/PAY-142/status.yaml"
                let status = try String(contentsOfFile: path, encoding: .utf8)
                try status.replacingOccurrences(of: "state: in_progress", with: "state: delivered").write(
                    toFile: path, atomically: true, encoding: .utf8)
            })
        try Self.push(world, as: "dev")
        let refusals = try Self.audit(world, tips)
        #expect(refusals.contains { $0.packet?.description == "PAY-142" && $0.reason.contains("tampering") }, "\(refusals)")
        try world.processor.run(repositoryAt: world.bare)
        #expect(try world.state() == "in_progress")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("written back"))
    }

    @Test("a criterion deleted inside a contractor's merge is a refused spec change, recorded in the packet's history")
    func criterionDeletedInMerge() throws {
        let world = try Self.claimedWorld()
        let tips = try Self.merge(
            in: world, as: "dev", sides: [[("notes", { try world.write("# notes\n", "NOTES.md", in: $0) })]],
            resolve: { clone in
                let path = "\(clone)/specs/PAY-142/acceptance.md"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("AC-3") }
                try kept.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            })
        try Self.push(world, as: "dev")
        let refusals = try Self.audit(world, tips)
        #expect(refusals.contains { $0.packet?.description == "PAY-142" && $0.reason.hasPrefix("spec-change") }, "\(refusals)")
        try world.processor.run(repositoryAt: world.bare)
        let status = try world.show("specs/PAY-142/status.yaml")
        #expect(status.contains("spec-change") && status.contains("rejected"), "\(status)")
        #expect(try world.state() == "in_progress")
    }

    @Test("a clean merge adds nothing of its own: the side branch's commits are judged once each, the merge not at all")
    func cleanMergeOfActions() throws {
        let world = try Self.claimedWorld()
        let tips = try Self.merge(
            in: world, as: "ana",
            sides: [
                [("Block\n\nHandoff: block PAY-142 waiting for legal", { _ in })],
                [("More context", { try world.write("# notes\n", "NOTES.md", in: $0) })],
            ])
        try Self.push(world, as: "ana")
        #expect(try Self.audit(world, tips).isEmpty)
        try world.processor.run(repositoryAt: world.bare)
        let status = try world.show("specs/PAY-142/status.yaml")
        #expect(status.contains("blocked: true"), "\(status)")
        #expect(status.components(separatedBy: "action: \"block\"").count == 2, "the block was folded more than once:\n\(status)")
        #expect(!status.contains("spec-change"), "a clean octopus merge was judged as a change:\n\(status)")
        // Incremental equals replay, byte for byte, across the merge.
        #expect(try world.replayDisagreements() == [])
    }

    @Test("a merge's trailers are actions of the merge's author, like any commit's")
    func actionInMerge() throws {
        let world = try Self.claimedWorld()
        try Self.merge(
            in: world, as: "ana", sides: [[("notes", { try world.write("# notes\n", "NOTES.md", in: $0) })]],
            message: "Merge notes\n\nHandoff: block PAY-142 waiting for legal")
        try Self.push(world, as: "ana")
        try world.processor.run(repositoryAt: world.bare)
        #expect(try world.show("specs/PAY-142/status.yaml").contains("blocked: true"))
    }

    @Test("the watched branch is rewritten by operators only: a contractor's force-push is refused, an operator's is judged from the fork point")
    func rewriteByOperatorOnly() throws {
        let world = try Self.claimedWorld()
        let bare = try Repository.open(at: world.bare)
        let tip = try #require(try bare.referenceTarget("refs/heads/main"))
        for (person, allowed) in [("dev", false), ("ops", true)] {
            let clone = "\(world.sandbox.root)/\(person)"
            try world.sandbox.git(["fetch", "-q", "origin"], in: clone)
            try world.sandbox.git(["checkout", "-q", "-B", "main", "origin/main~1"], in: clone)
            try world.runGit(
                ["commit", "-q", "--allow-empty", "-m", "Rewritten by \(person)", "--trailer", "Handoff-Rewrites: \(tip.hex)"], in: clone)
            let new = try #require(ObjectID(hex: try world.sandbox.git(["rev-parse", "HEAD"], in: clone)))
            // The objects reach the server, no reference does: as in the hook, which runs before references move.
            try world.sandbox.git(["push", "-q", "origin", "HEAD:refs/heads/rewrite-\(person)"], in: clone)
            try world.sandbox.git(["push", "-q", "origin", ":refs/heads/rewrite-\(person)"], in: clone)
            let refusals = try world.processor.audit(bare, old: tip, new: new)
            if allowed {
                #expect(refusals.isEmpty, "\(refusals)")
            } else {
                #expect(refusals.count == 1 && refusals[0].reason.contains("is not an operator"), "\(refusals)")
            }
        }
    }

    @Test("an operator's signature on an old commit authorises no rollback to it, and nobody deletes the watched branch")
    func rollbackAndDeletion() throws {
        let world = try Self.claimedWorld()
        let bare = try Repository.open(at: world.bare)
        let tip = try #require(try bare.referenceTarget("refs/heads/main"))
        // The first commit is the operator's own policy commit: the tip of a force-push anyone could make.
        let policyCommit = try #require(ObjectID(hex: try world.sandbox.git(["rev-list", "--max-parents=0", "main"], in: world.bare)))
        let rollback = try world.processor.audit(bare, old: tip, new: policyCommit)
        #expect(rollback.count == 1 && rollback[0].reason.contains("Handoff-Rewrites: \(tip.hex)"), "\(rollback)")
        // An operator's rewrite that names another tip than the one it replaces authorises nothing here.
        let clone = "\(world.sandbox.root)/ops"
        try world.sandbox.git(["fetch", "-q", "origin"], in: clone)
        for (named, allowed) in [(policyCommit.hex, false), (String(tip.hex.prefix(12)), false), (tip.hex.uppercased(), true)] {
            try world.sandbox.git(["checkout", "-q", "-B", "rewrite", "origin/main~1"], in: clone)
            try world.runGit(["commit", "-q", "--allow-empty", "-m", "Rewrite main", "--trailer", "Handoff-Rewrites: \(named)"], in: clone)
            try world.sandbox.git(["push", "-q", "-f", "origin", "HEAD:refs/heads/rewrite"], in: clone)
            let new = try #require(try bare.referenceTarget("refs/heads/rewrite"))
            #expect(try world.processor.audit(bare, old: tip, new: new).isEmpty == allowed, "\(named)")
        }
        let deletion = try world.processor.audit(bare, old: tip, new: .zero)
        #expect(deletion.count == 1 && deletion[0].reason.contains("deleting main"), "\(deletion)")
    }
}
