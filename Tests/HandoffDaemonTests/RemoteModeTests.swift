import Foundation
import GitTestSupport
import HandoffConfiguration
import HandoffCore
import HandoffDaemon
import HandoffEngine
import Logging
import Testing

/// Remote repositories: fetched into a mirror, processed, the status pushed back over git://.
@Suite("Remote mode", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct RemoteModeTests {
    @Test("a status commit reaches a git:// server, retried after its pre-receive hook declines the first attempt")
    func remote() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let served = try sandbox.folder("served")
        let server = "\(served)/specs.git"
        try DemoRepository.create(at: server)
        let hook = "\(server)/hooks/pre-receive"
        try Data("#!/bin/sh\nif [ ! -e declined-once ]; then touch declined-once; echo 'busy, try again' >&2; exit 1; fi\nexit 0\n".utf8)
            .write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let daemon = try GitDaemon(serving: served, environment: sandbox.environment)
        defer { daemon.stop() }
        let text = """
            identity: { email: handoffd@acme.example }
            state_directory: \(sandbox.root)/state
            repositories:
              - { name: remote, url: \(daemon.url("specs.git")), operators: [ops@acme.example] }

            """
        let configuration = try DaemonConfiguration.parse(text, file: "test.yaml")
        #expect(configuration.repositories[0].path == "\(sandbox.root)/state/mirrors/remote.git")
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: lines) }
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0, "\(lines.all)")
        #expect(lines.all.contains { $0.contains("push of the status commit refused (attempt 1)") && $0.contains("pre-receive hook declined") })
        #expect(try sandbox.git(["log", "-1", "--format=%s", "main"], in: server).hasPrefix("handoff: 2 packets updated"))
        #expect(try sandbox.git(["show", "main:specs/PAY-150/status.yaml"], in: server).contains("state: draft"))

        // Another writer pushes; the next pass covers it, and the server's history stays sound.
        try sandbox.git(["clone", "-q", server, "clone"], in: sandbox.root)
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block\n\nHandoff: block PAY-142 legal"], in: "\(sandbox.root)/clone",
            env: ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"])
        try sandbox.git(["push", "-q", daemon.url("specs.git"), "HEAD:main"], in: "\(sandbox.root)/clone")
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0)
        #expect(try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: server).contains("blocked: true"))
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: server)
    }

    @Test("a push race: another writer moves the branch while handoffd pushes; the refused push is fetched, refolded and retried")
    func pushRace() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let served = try sandbox.folder("served")
        let server = "\(served)/specs.git"
        try DemoRepository.create(at: server)
        // On handoffd's first push, another writer's commit lands on main first (made outside the push's
        // quarantine), so the server refuses handoffd's update as stale.
        let hook = "\(server)/hooks/pre-receive"
        try Data(
            """
            #!/bin/sh
            [ -e raced ] && exit 0
            touch raced
            unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
            other=$(GIT_AUTHOR_EMAIL=ana@acme.example GIT_COMMITTER_EMAIL=ana@acme.example \\
                git commit-tree main^{tree} -p main -m 'other writer' -m 'Handoff: block PAY-142 raced') || exit 1
            git update-ref refs/heads/main "$other" || exit 1
            exit 0

            """.utf8
        ).write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let daemon = try GitDaemon(serving: served, environment: sandbox.environment)
        defer { daemon.stop() }
        let configuration = try DaemonConfiguration.parse(
            """
            identity: { email: handoffd@acme.example }
            state_directory: \(sandbox.root)/state
            repositories:
              - { name: remote, url: \(daemon.url("specs.git")), operators: [ops@acme.example] }

            """, file: "test.yaml")
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: lines) }
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 0, "\(lines.all)")
        #expect(lines.all.contains { $0.contains("push of the status commit refused (attempt 1)") }, "\(lines.all)")
        // The other writer's commit is on main, under handoffd's status commit, and its action is folded.
        #expect(try sandbox.git(["log", "-2", "--format=%s", "main"], in: server).split(separator: "\n").last == "other writer")
        #expect(
            try sandbox.git(["log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "main"], in: server)
                == (try sandbox.git(["rev-parse", "main~1"], in: server)))
        #expect(try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: server).contains("blocked: true"))
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: server)
    }

    @Test("a local remote is opened directly, and a URL of another kind is refused with its key")
    func localAndBadURLs() throws {
        let local = try DaemonConfiguration.parse(
            """
            identity: { email: h@x.example }
            state_directory: /s
            repositories: [{ name: a, url: "file:///srv/git/specs.git", operators: [o@x] }]

            """, file: "t.yaml")
        #expect(local.repositories[0].path == "/srv/git/specs.git")
        #expect(local.repositories[0].url == nil)
        #expect(throws: DaemonConfiguration.Problem.self) {
            try DaemonConfiguration.parse(
                "identity: { email: h@x.example }\nstate_directory: /s\nrepositories: [{ name: a, url: ftp://x/y, operators: [o@x] }]\n",
                file: "t.yaml")
        }
        #expect(throws: DaemonConfiguration.Problem.self) {
            try DaemonConfiguration.parse(
                "identity: { email: h@x.example }\nstate_directory: /s\nrepositories: [{ name: ../a, path: /p, operators: [o@x] }]\n", file: "t.yaml")
        }
    }
}
