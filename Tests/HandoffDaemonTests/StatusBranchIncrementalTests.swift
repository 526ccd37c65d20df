import Foundation
import Git
import GitTestSupport
import HandoffConfiguration
import HandoffCore
import HandoffEngine
import HandoffSystem
import Testing

/// Issue 15, item 1: status on its own branch, written incrementally and read by clones on their own.
@Suite("Status branch by default", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct StatusBranchIncrementalTests {
    /// A run per push, each resumed from the last status commit, ends on the tree a rebuild from the first
    /// commit writes: carried-forward status files, the input's own changes (a forged status file on main,
    /// a new packet, a removed one, a stray file, a symlink) and the board agree byte for byte.
    @Test("run by run on the status branch equals a rebuild, tree for tree")
    func incrementalEqualsRebuild() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let server = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: server)
        let configuration = try DaemonConfiguration.parse(
            StatusBranchTests.configuration(sandbox, repository: "path: \(server)"), file: "t.yaml")
        let processor = RepositoryProcessor(settings: PreparedConfiguration(configuration).settings(for: configuration.repositories[0], cache: nil))
        #expect(try processor.run(repositoryAt: server).statusCommit != nil)
        try sandbox.git(["clone", "-q", server, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        let ana = ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"]
        let dev = ["GIT_AUTHOR_EMAIL": "dev@contractors.example", "GIT_COMMITTER_EMAIL": "dev@contractors.example"]
        func commit(_ message: String, as who: [String: String], _ change: () throws -> Void) throws {
            try change()
            try sandbox.git(["add", "-A"], in: clone)
            try sandbox.git(["commit", "-q", "--allow-empty", "-m", message], in: clone, env: who)
        }
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: "\(clone)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        var trees: [String] = []
        func push() throws {
            try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
            _ = try processor.run(repositoryAt: server)
            trees.append(try sandbox.git(["rev-parse", "handoff/status^{tree}"], in: server))
        }
        try commit("claim\n\nHandoff: claim PAY-142 starting", as: dev) {}
        try push()
        try commit("Clarify AC", as: ana) {
            let path = "\(clone)/specs/PAY-142/acceptance.md"
            try (String(contentsOfFile: path, encoding: .utf8) + "\nOne more note for AC-1.\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        try commit("forged status on main", as: dev) { try write("specs/PAY-142/status.yaml", "state: delivered\n") }
        try push()
        try commit("Add PAY-151", as: ana) {
            try FileManager.default.copyItem(atPath: "\(clone)/specs/PAY-150", toPath: "\(clone)/specs/PAY-151")
            let manifest = "\(clone)/specs/PAY-151/handoff.yaml"
            try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "PAY-150", with: "PAY-151")
                .write(toFile: manifest, atomically: true, encoding: .utf8)
        }
        try push()
        try commit("Drop PAY-150, add notes", as: ana) {
            try FileManager.default.removeItem(atPath: "\(clone)/specs/PAY-150")
            try write("notes/readme.txt", "notes\n")
            try FileManager.default.createSymbolicLink(atPath: "\(clone)/notes/link", withDestinationPath: "readme.txt")
            try write("specs/not_a_packet/status.yaml", "state: draft\n")
        }
        try commit("block\n\nHandoff: block PAY-151 waiting", as: ana) {}
        try push()
        #expect(Set(trees).count == trees.count, "every push changed the status tree")
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server).contains("state: in_progress"))
        #expect(try sandbox.gitResult(["cat-file", "-e", "handoff/status:specs/PAY-150/status.yaml"], in: server).status != 0)
        #expect(try sandbox.git(["show", "handoff/status:notes/link"], in: server) == "readme.txt")

        // The same history, rebuilt from the first commit: no status branch to resume from.
        let rebuilt = "\(sandbox.root)/rebuilt.git"
        try sandbox.git(["clone", "-q", "--bare", server, rebuilt], in: sandbox.root)
        try sandbox.git(["update-ref", "-d", "refs/heads/handoff/status"], in: rebuilt)
        let result = try processor.run(repositoryAt: rebuilt)
        #expect(result.foldedCommits > 4, "rebuilt from the first commit")
        #expect(try sandbox.git(["rev-parse", "handoff/status^{tree}"], in: rebuilt) == trees.last)
    }

    /// `handoff demo` publishes to `handoff/status`; a clone reads it with no configuration and fetches it when
    /// asked; `handoff.statusBranch off` reads the checked-out branch instead.
    @Test(
        "a clone finds the status branch from the remote's refs and fetches it for status", .enabled(if: Executables.built, "needs the executables"))
    func cloneDiscovers() throws {
        let sandbox = try Sandbox()
        #expect(try runProcess(Executables.handoff, ["demo", sandbox.root, "--http-listen", "off"]).status == 0)
        let bare = "\(sandbox.root)/specs.git"
        let mainBefore = try sandbox.git(["rev-parse", "main"], in: bare)
        // A clone made before handoffd's first pass has no origin/handoff/status yet.
        try sandbox.git(["clone", "-q", bare, "early"], in: sandbox.root)
        let early = "\(sandbox.root)/early"
        let once = try runProcess(Executables.handoffd, ["--config", "\(sandbox.root)/handoffd.yaml", "--once"], environment: sandbox.environment)
        #expect(once.status == 0, "\(once.stderr)")
        #expect(try sandbox.git(["rev-parse", "main"], in: bare) == mainBefore, "main holds no status commit")
        let status = try runProcess(Executables.handoff, ["status", "PAY-142"], in: early, environment: sandbox.environment)
        #expect(status.status == 0 && status.stdout.contains("ready"), "\(status.stdout)\(status.stderr)")
        #expect(try sandbox.gitResult(["rev-parse", "--verify", "-q", "refs/remotes/origin/handoff/status"], in: early).status == 0, "fetched")
        let board = try runProcess(Executables.handoff, ["board"], in: early, environment: sandbox.environment)
        #expect(board.status == 0 && board.stdout.contains("PAY-150"), "\(board.stdout)\(board.stderr)")
        // #15 AC-3: the status commit verifies with the repository's content and the README's command alone.
        let verify = SignersFile.verifyCommand(branch: "origin/handoff/status")
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(try String(contentsOf: readme.appendingPathComponent("README.md"), encoding: .utf8).contains(verify))
        let shown = try runProcess("/bin/sh", ["-c", verify], in: early, environment: sandbox.environment)
        #expect(shown.status == 0 && shown.stdout.contains("Good \"git\" signature for handoffd@acme.example"), "\(shown.stdout)\(shown.stderr)")
        #expect(try sandbox.git(["show", "origin/handoff/status:\(SignersFile.path)"], in: early).contains(verify))
        // Opting out reads the checked-out branch, which holds no status in this mode.
        try sandbox.git(["config", "handoff.statusBranch", "off"], in: early)
        let off = try runProcess(Executables.handoff, ["board"], in: early, environment: sandbox.environment)
        #expect(!off.stdout.contains("PAY-150 "), "\(off.stdout)")
        // A configured branch that does not exist is a clear error, not an empty board.
        try sandbox.git(["config", "handoff.statusBranch", "handoff/nothing"], in: early)
        let missing = try runProcess(Executables.handoff, ["board"], in: early, environment: sandbox.environment)
        #expect(missing.status != 0 && missing.stderr.contains("handoff.statusBranch is 'handoff/nothing'"), "\(missing.stderr)")
    }

    /// The fetch before a status command is bounded: a remote that accepts and never answers costs at most
    /// `handoff.fetchTimeout`, and the command shows the status last fetched, saying so.
    @Test(
        "a hanging remote: handoff board gives up on the fetch and shows the status last fetched",
        .enabled(if: Executables.built, "needs the executables"))
    func hangingRemote() throws {
        let sandbox = try Sandbox()
        #expect(try runProcess(Executables.handoff, ["demo", sandbox.root, "--http-listen", "off"]).status == 0)
        let once = try runProcess(Executables.handoffd, ["--config", "\(sandbox.root)/handoffd.yaml", "--once"], environment: sandbox.environment)
        #expect(once.status == 0, "\(once.stderr)")
        try sandbox.git(["clone", "-q", "\(sandbox.root)/specs.git", "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        let silent = try SilentServer(.acceptsAndHolds, scratch: try sandbox.folder("silent"))
        try sandbox.git(["remote", "set-url", "origin", silent.gitURL], in: clone)
        try sandbox.git(["config", "handoff.fetchTimeout", "1"], in: clone)
        let board = try runProcess(Executables.handoff, ["board"], in: clone, environment: sandbox.environment)
        #expect(board.status == 0 && board.stdout.contains("PAY-142"), "\(board.stdout)\(board.stderr)")
        #expect(board.stderr.contains("could not fetch origin/handoff/status; showing the status as last fetched"), "\(board.stderr)")
    }

    /// The hook's rule for the status branch: handoffd's signed status commits fast-forward it; anyone else's
    /// commits, a rewrite or a deletion are refused, a long push listed once.
    @Test("the status branch takes only handoffd's commits: foreign ones listed up to five, rewrites and deletions refused")
    func statusBranchAudit() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let server = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: server)
        let configuration = try DaemonConfiguration.parse(
            StatusBranchTests.configuration(sandbox, repository: "path: \(server)"), file: "t.yaml")
        let processor = RepositoryProcessor(settings: PreparedConfiguration(configuration).settings(for: configuration.repositories[0], cache: nil))
        let repository = try Repository.open(at: server)
        let before = try repository.referenceTarget("refs/heads/handoff/status")
        let status = try #require(try processor.run(repository).statusCommit)
        #expect(try processor.auditStatusBranch(repository, old: before, new: status) == [], "handoffd's own commit passes")
        var tip = status
        for index in 0..<8 {
            let who = Signature(name: "Dev", email: "dev@contractors.example", time: GitTime(seconds: 1_800_000_000 + Int64(index), offsetMinutes: 0))
            tip = try repository.createCommit(
                tree: try repository.tree(ofCommit: tip), parents: [tip], author: who, committer: who, message: "forged \(index)\n", allowEmpty: true)
        }
        let refused = try processor.auditStatusBranch(repository, old: status, new: tip)
        #expect(refused.count == RepositoryProcessor.listedForeignCommits + 1, "\(refused)")
        #expect(refused.last?.reason.contains("and 3 more commit(s)") == true)
        let main = try #require(try repository.referenceTarget("refs/heads/main"))
        #expect(try processor.auditStatusBranch(repository, old: status, new: main).first?.reason.contains("non-fast-forward") == true)
        #expect(try processor.auditStatusBranch(repository, old: status, new: ObjectID.zero).first?.reason.contains("deleting") == true)
    }
}
