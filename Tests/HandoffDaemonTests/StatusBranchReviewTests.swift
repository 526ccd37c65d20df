import Foundation
import Git
import GitTestSupport
import HandoffConfiguration
import HandoffCore
import HandoffEngine
import HandoffSystem
import Testing

/// Histories that a run resumed from a status commit carries forward differently from a rebuild, or cannot
/// carry forward at all: folders replaced by files and back, submodules, merges that take the other side.
@Suite(
    "Status branch: incremental runs on awkward histories",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct StatusBranchReviewTests {
    /// A demo repository served in status-branch mode, a clone to push from, and a run after each push.
    final class Bench {
        let sandbox: Sandbox
        let server: String
        let clone: String
        let processor: RepositoryProcessor
        static let ana = ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"]

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            try sandbox.handoffdKey()
            server = "\(sandbox.root)/specs.git"
            try DemoRepository.create(at: server)
            let configuration = try DaemonConfiguration.parse(
                StatusBranchTests.configuration(sandbox, repository: "path: \(server)"), file: "t.yaml")
            processor = RepositoryProcessor(settings: PreparedConfiguration(configuration).settings(for: configuration.repositories[0], cache: nil))
            _ = try processor.run(repositoryAt: server)
            try sandbox.git(["clone", "-q", server, "clone"], in: sandbox.root)
            clone = "\(sandbox.root)/clone"
        }

        func git(_ arguments: [String]) throws {
            try sandbox.git(arguments, in: clone, env: Self.ana)
        }

        func commit(_ message: String, _ change: () throws -> Void) throws {
            try change()
            try git(["add", "-A"])
            try git(["commit", "-q", "--allow-empty", "-m", message])
        }

        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: "\(clone)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        func remove(_ path: String) throws {
            try FileManager.default.removeItem(atPath: "\(clone)/\(path)")
        }

        /// Pushes `HEAD` to main and runs handoffd once.
        func push(force: Bool = false) throws {
            try git(["push", "-q"] + (force ? ["-f"] : []) + ["origin", "HEAD:main"])
            _ = try processor.run(repositoryAt: server)
        }

        /// The status branch's tree at the server.
        func statusTree(in repository: String? = nil) throws -> String {
            try sandbox.git(["rev-parse", "handoff/status^{tree}"], in: repository ?? server)
        }

        /// A copy of the server whose history a run rebuilds from the first commit (no status branch to resume).
        func rebuilt() throws -> String {
            let rebuilt = "\(sandbox.root)/rebuilt-\(UUID().uuidString.prefix(6)).git"
            try sandbox.git(["clone", "-q", "--bare", server, rebuilt], in: sandbox.root)
            try sandbox.git(["update-ref", "-d", "refs/heads/handoff/status"], in: rebuilt)
            _ = try processor.run(repositoryAt: rebuilt)
            return rebuilt
        }
    }

    /// Expects the last run to cover main's tip and its tree to be a rebuild's.
    func expectRebuildAgrees(_ bench: Bench) throws {
        let main = try bench.sandbox.git(["rev-parse", "main"], in: bench.server)
        let covered = try bench.sandbox.git(
            ["log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "handoff/status"], in: bench.server)
        #expect(covered == main, "the status branch covers main's tip")
        let incremental = try bench.statusTree()
        let copy = try bench.rebuilt()
        let rebuilt = try bench.statusTree(in: copy)
        let difference = try bench.sandbox.git(["diff-tree", "-r", "--name-status", incremental, rebuilt], in: copy)
        #expect(incremental == rebuilt, "incremental and rebuilt trees differ:\n\(difference)")
    }

    /// A folder of the input replaced by a file of the same name: the resumed tree holds the folder (with a
    /// status file in it, for a packet), the input's diff a file.
    @Test("a folder replaced by a file, in a packet and outside")
    func folderBecomesFile() throws {
        let bench = try Bench()
        try bench.commit("notes") { try bench.write("notes/readme.txt", "notes\n") }
        try bench.push()
        try bench.commit("notes as one file, PAY-150 as a file") {
            try bench.remove("notes")
            try bench.write("notes", "one file now\n")
            try bench.remove("specs/PAY-150")
            try bench.write("specs/PAY-150", "gone\n")
        }
        try bench.push()
        try expectRebuildAgrees(bench)
    }

    /// A file of the input replaced by a folder of the same name.
    @Test("a file replaced by a folder")
    func fileBecomesFolder() throws {
        let bench = try Bench()
        try bench.commit("notes file") { try bench.write("notes", "one file\n") }
        try bench.push()
        try bench.commit("notes folder") {
            try bench.remove("notes")
            try bench.write("notes/readme.txt", "notes\n")
        }
        try bench.push()
        try expectRebuildAgrees(bench)
    }

    /// A file replaced by a submodule (a gitlink), and back.
    @Test("a file replaced by a submodule and back")
    func fileBecomesSubmodule() throws {
        let bench = try Bench()
        try bench.commit("vendor file") { try bench.write("vendor", "one file\n") }
        try bench.push()
        let head = try bench.sandbox.git(["rev-parse", "HEAD"], in: bench.clone)
        try bench.git(["rm", "-q", "--cached", "vendor"])
        try bench.remove("vendor")
        try bench.git(["update-index", "--add", "--cacheinfo", "160000,\(head),vendor"])
        try bench.git(["commit", "-q", "-m", "vendor as a submodule"])
        try bench.push()
        try expectRebuildAgrees(bench)
    }

    /// A merge that keeps the other side's version of a packet's file (`git merge -s ours` from a stale
    /// branch): no commit folded changes the packet, yet the input's diff since the covered commit does.
    @Test("a merge that takes the stale side's version of a packet file")
    func mergeTakesStaleSide() throws {
        let bench = try Bench()
        let base = try bench.sandbox.git(["rev-parse", "HEAD"], in: bench.clone)
        try bench.commit("Clarify AC") {
            let path = "\(bench.clone)/specs/PAY-142/acceptance.md"
            try (String(contentsOfFile: path, encoding: .utf8) + "\nOne more note for AC-1.\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        try bench.push()
        try bench.git(["checkout", "-q", "-b", "stale", base])
        try bench.commit("notes") { try bench.write("notes.txt", "notes\n") }
        try bench.git(["merge", "-q", "-s", "ours", "-m", "Merge main, keeping ours", "main"])
        try bench.push()
        try expectRebuildAgrees(bench)
    }

    /// The same through a status file once committed to main (forged), removed, and brought back by a merge
    /// from a branch that forked while it was there: no folded commit touches it.
    @Test("a merge that brings back a forged status file")
    func mergeBringsBackForgedStatus() throws {
        let bench = try Bench()
        try bench.commit("forged status on main") { try bench.write("specs/PAY-142/status.yaml", "state: delivered\n") }
        try bench.push()
        let forged = try bench.sandbox.git(["rev-parse", "HEAD"], in: bench.clone)
        try bench.commit("remove it") { try bench.remove("specs/PAY-142/status.yaml") }
        try bench.push()
        try bench.git(["checkout", "-q", "-b", "stale", forged])
        try bench.commit("notes") { try bench.write("notes.txt", "notes\n") }
        try bench.git(["merge", "-q", "-s", "ours", "-m", "Merge main, keeping ours", "main"])
        try bench.push()
        #expect(try !bench.sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: bench.server).contains("delivered"))
        try expectRebuildAgrees(bench)
    }

    /// A participant commits folders where handoffd writes files (a packet's `status.yaml`, the board): the
    /// files handoffd writes replace them, as they replace a file committed there.
    @Test("folders committed where the status file and the board go")
    func statusPathsAsFolders() throws {
        let bench = try Bench()
        try bench.commit("folders in the way") {
            try bench.write("specs/PAY-142/status.yaml/note.txt", "in the way\n")
            try bench.write(".handoff/board.md/note.txt", "in the way\n")
        }
        try bench.push()
        #expect(try bench.sandbox.git(["cat-file", "-t", "handoff/status:specs/PAY-142/status.yaml"], in: bench.server) == "blob")
        try bench.commit("notes") { try bench.write("notes.txt", "notes\n") }
        try bench.push()
        try expectRebuildAgrees(bench)
    }

    /// Input that puts files where handoffd's go, in the same run as the files handoffd writes there: the
    /// `.handoff` folder replaced by a file (its policy inside), a folder under the signers file's name, and
    /// a packet folder a contractor may not replace (the refused change keeps the packet and its status).
    @Test("the .handoff folder as a file, a folder in the signers file's place, a refused packet replacement")
    func inputWhereRenderedFilesGo() throws {
        let bench = try Bench()
        try bench.commit(".handoff as a file") {
            try bench.remove(".handoff")
            try bench.write(".handoff", "not a folder\n")
        }
        try bench.push()
        try expectRebuildAgrees(bench)
        try bench.commit(".handoff back, signers as a folder") {
            try bench.remove(".handoff")
            try bench.write(".handoff/allowed_signers/x", "x\n")
        }
        try bench.push()
        try expectRebuildAgrees(bench)
        try FileManager.default.removeItem(atPath: "\(bench.clone)/specs/PAY-142")
        try bench.write("specs/PAY-142", "a file now\n")
        try bench.git(["add", "-A"])
        try bench.sandbox.git(
            ["commit", "-q", "-m", "PAY-142 as a file"], in: bench.clone,
            env: ["GIT_AUTHOR_EMAIL": "dev@contractors.example", "GIT_COMMITTER_EMAIL": "dev@contractors.example"])
        try bench.push()
        try expectRebuildAgrees(bench)
    }

    /// The status branch takes handoffd's commits only: a participant who merged it into main (which the
    /// hook lets through: the merge changes nothing of its own) must not then fast-forward it to main.
    @Test("the status branch fast-forwarded to a participant's merge of it into main is refused")
    func statusBranchToMain() throws {
        let bench = try Bench()
        try bench.git(["fetch", "-q", "origin", "handoff/status"])
        try bench.git(["merge", "-q", "--no-ff", "--no-edit", "FETCH_HEAD"])
        try bench.git(["push", "-q", "origin", "HEAD:refs/heads/incoming"])
        let repository = try Repository.open(at: bench.server)
        let main = try #require(try repository.referenceTarget("refs/heads/main"))
        let status = try #require(try repository.referenceTarget("refs/heads/handoff/status"))
        let merge = try #require(try repository.referenceTarget("refs/heads/incoming"))
        let onMain = try bench.processor.audit(repository, old: main, new: merge)
        guard onMain.isEmpty else { return }  // refused on main: the status branch cannot follow
        try bench.sandbox.git(["update-ref", "refs/heads/main", merge.hex], in: bench.server)
        let refused = try bench.processor.auditStatusBranch(repository, old: status, new: merge)
        #expect(!refused.isEmpty, "a participant's commit became the status branch's tip")
    }
}
