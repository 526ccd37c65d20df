import Foundation
import Git
import GitTestSupport
import HandoffConfiguration
import HandoffCore
import HandoffDaemon
import HandoffEngine
import Logging
import Testing

/// `status_branch`: status commits go to their own branch and the watched one is never written.
@Suite("Status on a separate branch", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct StatusBranchTests {
    /// The demo repository served in status-branch mode, with handoffd's key, and a processor for it.
    static func servedDemo(_ name: String = #function) throws -> (sandbox: Sandbox, server: String, processor: RepositoryProcessor) {
        let sandbox = try Sandbox(name)
        try sandbox.handoffdKey()
        let server = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: server)
        let configuration = try DaemonConfiguration.parse(Self.configuration(sandbox, repository: "path: \(server)"), file: "t.yaml")
        let processor = RepositoryProcessor(settings: PreparedConfiguration(configuration).settings(for: configuration.repositories[0], cache: nil))
        return (sandbox, server, processor)
    }

    static func configuration(_ sandbox: Sandbox, repository: String) -> String {
        """
        identity: { email: handoffd@acme.example }
        state_directory: \(sandbox.root)/state
        repositories:
          - name: specs
            \(repository)
            status_branch: handoff/status
            operators: [ops@acme.example]

        """
    }

    @Test("a local repository: main is untouched, the status branch fast-forwards, a force-push is noticed, replay agrees")
    func local() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let server = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: server)
        let mainBefore = try sandbox.git(["rev-parse", "main"], in: server)
        let configuration = try DaemonConfiguration.parse(Self.configuration(sandbox, repository: "path: \(server)"), file: "t.yaml")
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: lines) }
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0, "\(lines.all)")
        #expect(try sandbox.git(["rev-parse", "main"], in: server) == mainBefore)
        let first = try sandbox.git(["rev-parse", "handoff/status"], in: server).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sandbox.git(["rev-parse", "handoff/status^1"], in: server) == mainBefore)
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-150/status.yaml"], in: server).contains("state: draft"))
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0)
        #expect(try sandbox.git(["rev-parse", "handoff/status"], in: server).hasPrefix(first), "an idle run writes nothing")

        // A contractor's action on main: the next status commit has the old one as second parent.
        try sandbox.git(["clone", "-q", server, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block\n\nHandoff: block PAY-142 legal"], in: clone,
            env: ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"])
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0)
        #expect(try sandbox.git(["rev-parse", "handoff/status^2"], in: server).hasPrefix(first))
        #expect(try sandbox.git(["merge-base", "--is-ancestor", first, "handoff/status"], in: server).isEmpty)
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server).contains("blocked: true"))
        #expect(try sandbox.git(["log", "-1", "--format=%s", "main"], in: server) == "block")

        // A participant's `handoff status` reads the status branch named by handoff.statusBranch.
        if Executables.built {
            try sandbox.git(["config", "handoff.statusBranch", "handoff/nothing"], in: clone)
            let missing = try runProcess(Executables.handoff, ["status", "PAY-142"], in: clone, environment: sandbox.environment)
            #expect(missing.status != 0 && missing.stderr.contains("run git fetch"), "\(missing.stderr)")
            try sandbox.git(["config", "handoff.statusBranch", "handoff/status"], in: clone)
            try sandbox.git(["fetch", "-q", "origin"], in: clone)
            let shown = try runProcess(Executables.handoff, ["status", "PAY-142"], in: clone, environment: sandbox.environment)
            #expect(shown.status == 0 && shown.stdout.contains("(blocked)"), "\(shown.stdout)\(shown.stderr)")
            #expect(!shown.stderr.contains("not processed"), "\(shown.stderr)")
            try sandbox.git(["commit", "-q", "--allow-empty", "-m", "later"], in: clone)
            let stale = try runProcess(Executables.handoff, ["status", "PAY-142"], in: clone, environment: sandbox.environment)
            #expect(stale.stderr.contains("1 commit(s) on main are not processed"), "\(stale.stderr)")
            try sandbox.git(["reset", "-q", "--hard", "HEAD~1"], in: clone)
        }

        // The status branch holds what a replay from the first commit computes.
        let entry = configuration.repositories[0]
        let processor = RepositoryProcessor(settings: PreparedConfiguration(configuration).settings(for: entry, cache: nil))
        let replayed = try processor.replay(try Repository.open(at: server))
        for (path, text) in replayed where path != BoardFile.path {
            #expect(
                try sandbox.git(["show", "handoff/status:\(path)"], in: server) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(path)")
        }

        // Main rewritten under the status branch: rebuilt from the first commit, with the event on the board.
        try sandbox.git(["push", "-q", "--force", "origin", "HEAD~1:main"], in: clone)
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0)
        let board = try sandbox.git(["show", "handoff/status:\(BoardFile.path)"], in: server)
        #expect(board.contains("history.rewritten"))
        #expect(try !sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server).contains("blocked: true"))
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: server)
    }

    @Test("a foreign commit on the status branch is tampering: recorded on the board and written over from the last genuine status, no rebuild")
    func foreignStatusCommit() throws {
        let (sandbox, server, processor) = try Self.servedDemo()
        #expect(try processor.run(repositoryAt: server).statusCommit != nil)
        let genuine = try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server)

        // A contractor forges delivery on the status branch itself, two commits deep.
        try sandbox.git(["clone", "-q", "-b", "handoff/status", server, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        let forger = ["GIT_AUTHOR_EMAIL": "dev@contractors.example", "GIT_COMMITTER_EMAIL": "dev@contractors.example"]
        let status = "\(clone)/specs/PAY-142/status.yaml"
        try genuine.replacingOccurrences(of: "state: ready", with: "state: delivered").write(toFile: status, atomically: true, encoding: .utf8)
        try sandbox.git(["commit", "-q", "-am", "delivered"], in: clone, env: forger)
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "Handoff-Processed: 0123456789012345678901234567890123456789"], in: clone, env: forger)
        try sandbox.git(["push", "-q", "origin", "HEAD:handoff/status"], in: clone)
        let forged = try sandbox.git(["rev-parse", "handoff/status"], in: server)
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server).contains("state: delivered"))

        let result = try processor.run(repositoryAt: server)
        #expect(result.statusCommit != nil)
        #expect(result.foldedCommits == 0, "resumed from the last genuine status, not rebuilt from the first commit")
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server) == genuine)
        #expect(try sandbox.git(["rev-parse", "handoff/status^2"], in: server) == forged, "the status branch still only fast-forwards")
        let board = try sandbox.git(["show", "handoff/status:\(BoardFile.path)"], in: server)
        #expect(board.contains("2 commit(s) on the status branch were not written by handoffd"), "\(board)")
        #expect(!board.contains("history.rewritten"))
        #expect(try processor.run(repositoryAt: server).statusCommit == nil, "written over once: no write-back loop")
    }

    /// Without the hook (a hosted remote), anyone who may push can move the status branch onto the watched
    /// branch's own history, where no status commit of handoffd's is.
    @Test("the status branch moved onto main is tampering: recorded, rebuilt, and the new status commit has distinct parents")
    func statusBranchMovedOntoMain() throws {
        let (sandbox, server, processor) = try Self.servedDemo()
        #expect(try processor.run(repositoryAt: server).statusCommit != nil)
        let genuine = try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server)
        let main = try sandbox.git(["rev-parse", "main"], in: server)
        try sandbox.git(["clone", "-q", server, "clone"], in: sandbox.root)
        try sandbox.git(["push", "-q", "-f", "origin", "origin/main:refs/heads/handoff/status"], in: "\(sandbox.root)/clone")
        #expect(try sandbox.git(["rev-parse", "handoff/status"], in: server) == main)

        let result = try processor.run(repositoryAt: server)
        #expect(result.statusCommit != nil)
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server) == genuine)
        #expect(try sandbox.git(["rev-list", "--parents", "-n", "1", "handoff/status"], in: server).split(separator: " ").count == 2)
        #expect(try sandbox.git(["rev-parse", "handoff/status^1"], in: server) == main)
        let board = try sandbox.git(["show", "handoff/status:\(BoardFile.path)"], in: server)
        #expect(board.contains("1 commit(s) on the status branch were not written by handoffd"), "\(board)")
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: server)
        #expect(try processor.run(repositoryAt: server).statusCommit == nil, "written over once: no write-back loop")
    }

    /// A participant who merges the status branch into main (`git pull origin handoff/status`) tampers with
    /// nothing; someone who then moves the status branch back to an older status commit main holds does.
    @Test("the status branch merged into main is no tampering; moved back to an older merged status commit, it is")
    func statusMergedIntoMain() throws {
        let (sandbox, server, processor) = try Self.servedDemo()
        #expect(try processor.run(repositoryAt: server).statusCommit != nil)
        let first = try sandbox.git(["rev-parse", "handoff/status"], in: server)
        try sandbox.git(["clone", "-q", server, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        let ana = ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"]
        func mergeStatusIntoMain() throws {
            try sandbox.git(["fetch", "-q", "origin"], in: clone)
            try sandbox.git(["merge", "-q", "--no-ff", "--no-edit", "origin/handoff/status"], in: clone, env: ana)
            try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
            #expect(try processor.run(repositoryAt: server).statusCommit != nil)
        }
        let tampering = "on the status branch were not written by handoffd"
        try mergeStatusIntoMain()
        try mergeStatusIntoMain()
        #expect(try !sandbox.git(["show", "handoff/status:\(BoardFile.path)"], in: server).contains(tampering))
        try sandbox.git(["push", "-q", "-f", "origin", "\(first):refs/heads/handoff/status"], in: clone)
        #expect(try processor.run(repositoryAt: server).statusCommit != nil)
        #expect(try sandbox.git(["show", "handoff/status:\(BoardFile.path)"], in: server).contains(tampering))
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: server)
    }

    @Test(
        "over ssh with the configured key and known_hosts; a known_hosts without the host is a clear error",
        .enabled(if: SSHServer.isAvailable, "needs root and openssh-server"))
    func overSSH() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let server = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: server)
        let sshd = try SSHServer(folder: "\(sandbox.root)/sshd")
        defer { sshd.stop() }
        let knownHosts = "\(sandbox.root)/known_hosts"
        try Data("# pinned\nother.example ssh-ed25519 AAAAnotthisone\n[127.0.0.1]:\(sshd.port) ssh-ed25519 \(sshd.hostKey)\n".utf8)
            .write(to: URL(fileURLWithPath: knownHosts))
        let repository = "url: \(sshd.url(server))\n    ssh_key: \(sshd.clientKey)\n    known_hosts: \(knownHosts)"
        let configuration = try DaemonConfiguration.parse(Self.configuration(sandbox, repository: repository), file: "t.yaml")
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: lines) }
        let mainBefore = try sandbox.git(["rev-parse", "main"], in: server)
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0, "\(lines.all)")
        #expect(try sandbox.git(["rev-parse", "main"], in: server) == mainBefore)
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-150/status.yaml"], in: server).contains("state: draft"))

        try Data("other.example ssh-ed25519 AAAAnotthisone\n".utf8).write(to: URL(fileURLWithPath: knownHosts))
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 1)
        #expect(lines.all.contains { $0.contains("known_hosts \(knownHosts) has no key for [127.0.0.1]:\(sshd.port)") })
    }
}
