import Foundation
import GitTestSupport
import HandoffEngine
import HandoffSystem
import Testing

/// Issue 16, AC-3: remotes that accept a connection and never answer (over git:// and ssh) beside a local
/// repository. The bounds are on waiting for a hang, not claims about speed.
@Suite("A silent remote", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct SilentRemoteTests {
    struct Fixture {
        let sandbox: Sandbox
        let server: SilentServer
        let local: String
        let config: String

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            try sandbox.handoffdKey()
            server = try SilentServer(.acceptsAndHolds, scratch: sandbox.root)
            local = "\(sandbox.root)/local.git"
            try DemoRepository.create(at: local)
            config = "\(sandbox.root)/handoffd.yaml"
            try """
            identity:
              email: handoffd@acme.example
            state_directory: \(sandbox.root)/state
            poll_interval: 0.5
            network:
              connect_timeout: 2
              inactivity_timeout: 1
            repositories:
              - { name: local, path: \(local), operators: [ops@acme.example] }
              - { name: silent-git, url: "\(server.gitURL)", operators: [ops@acme.example] }
              - { name: silent-ssh, url: "\(server.sshURL)", operators: [ops@acme.example] }

            """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func localSubject() throws -> String { try sandbox.git(["log", "-1", "--format=%s", "main"], in: local) }
    }

    @Test(
        "the local repository is served, READY=1 arrives with the remotes named, their timeouts are logged and backed off, SIGTERM exits within 10 s")
    func service() throws {
        let fixture = try Fixture()
        let sandbox = fixture.sandbox
        let listener = DaemonServiceTests.NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let log = "\(sandbox.root)/daemon.log"
        let daemon = try ChildProcess(Executables.handoffd, ["--config", fixture.config], environment: environment, stderr: log)
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        let ready = listener.wait(for: "READY=1", timeout: 30)?.last ?? ""
        #expect(ready.contains("READY=1"), "no READY=1 while the remotes are silent")
        #expect(ready.contains("waiting for a first answer: silent-git, silent-ssh"), "\(ready)")
        #expect(try fixture.localSubject().hasPrefix("handoff: "), "the local repository got no status commit")

        // The local repository keeps being served: an action pushed now is processed.
        try sandbox.git(["clone", "-q", fixture.local, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block it\n\nHandoff: block PAY-142 waiting for legal"], in: clone,
            env: ["GIT_AUTHOR_EMAIL": "bo@acme.example", "GIT_COMMITTER_EMAIL": "bo@acme.example"])
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        #expect(
            eventually { (try? sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: fixture.local))?.contains("blocked: true") ?? false },
            "the local repository was not served while the remotes hung")

        // Each remote times out, is logged, and is retried later and later.
        func retryDelays(_ name: String, in text: String) -> [Int] {
            text.split(separator: "\n").filter { $0.contains("repository=\(name)") && $0.contains("timed out") }.compactMap { line in
                line.range(of: "retrying in ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
            }
        }
        let backedOff = eventually {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return ["silent-git", "silent-ssh"].allSatisfy { name in
                let delays = retryDelays(name, in: text)
                return delays.count >= 2 && delays[1] > delays[0]
            }
        }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(backedOff, "\(text)")
        #expect(text.contains("the remote sent nothing for 1 s"), "\(text)")

        let stopping = Date()
        kill(daemon.pid, SIGTERM)
        let exited = eventually(timeout: 10) { !daemon.isRunning() }
        #expect(exited, "SIGTERM did not end handoffd within 10 s")
        #expect(Date().timeIntervalSince(stopping) < 10)
    }

    @Test("--once processes the local repository and returns 75 (retry later) within its deadlines")
    func once() throws {
        let fixture = try Fixture()
        let start = Date()
        let result = try runProcess(Executables.handoffd, ["--config", fixture.config, "--once"], environment: fixture.sandbox.environment)
        #expect(result.status == 75, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 30, "--once did not return within its deadlines")
        #expect(result.stderr.contains("repository=silent-git") && result.stderr.contains("timed out"), "\(result.stderr)")
        #expect(try fixture.localSubject().hasPrefix("handoff: "))
    }
}
