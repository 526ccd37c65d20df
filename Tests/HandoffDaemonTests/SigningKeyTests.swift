import Foundation
import GitTestSupport
import HandoffCore
import HandoffEngine
import HandoffSystem
import Testing

/// Issue 11, item 4: handoffd's key is made only by `handoffd key generate`; a missing key stalls, never
/// silently becomes a new one that would disown every earlier status commit.
@Suite("handoffd's signing key", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct SigningKeyTests {
    @Test(
        "a missing key stalls --once (exit 1) and makes no key; key generate makes one, refuses a second, key show prints it; a lost key stalls again"
    )
    func explicitKey() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: bare)
        let config = "\(sandbox.root)/handoffd.yaml"
        let state = "\(sandbox.root)/state"
        try Data(DemoRepository.configuration(repository: bare, stateDirectory: state).utf8).write(to: URL(fileURLWithPath: config))
        let key = "\(state)/handoffd_ed25519"

        let stalled = try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment)
        #expect(stalled.status == 1)
        #expect(stalled.stderr.contains("no signing key at \(key): create it once with `handoffd key generate --config FILE`"), "\(stalled.stderr)")
        #expect(!FileManager.default.fileExists(atPath: key), "a key was made on the way")
        #expect(try runProcess(Executables.handoffd, ["key", "show", "--config", config]).status == 1)

        let made = try runProcess(Executables.handoffd, ["key", "generate", "--config", config])
        #expect(made.status == 0, "\(made.stderr)")
        let show = try runProcess(Executables.handoffd, ["key", "show", "--config", config])
        let line = show.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(show.status == 0 && line.hasPrefix("ssh-ed25519 ") && line.hasSuffix(" handoffd@acme.example"), "\(show.stdout)")
        #expect(made.stdout.contains(line))
        let again = try runProcess(Executables.handoffd, ["key", "generate", "--config", config])
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(again.stderr)")

        #expect(try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment).status == 0)
        // git verifies the status commit with the allowed_signers file written beside the key.
        let verified = try sandbox.git(
            ["-c", "gpg.ssh.allowedSignersFile=\(key).allowed_signers", "log", "-1", "--format=%G? %GS", "main"], in: bare)
        #expect(verified == "G handoffd@acme.example")
        // With the repository's content alone: the README's command, run as printed.
        let command = SignersFile.verifyCommand(branch: "main")
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(try String(contentsOf: readme.appendingPathComponent("README.md"), encoding: .utf8).contains(command))
        let shown = try runProcess("/bin/sh", ["-c", command], in: bare, environment: sandbox.environment)
        #expect(shown.status == 0 && shown.stdout.contains("Good \"git\" signature for handoffd@acme.example"), "\(shown.stdout)\(shown.stderr)")

        // The state directory lost: the next pass stalls instead of disowning the status commits it made.
        let tip = try sandbox.git(["rev-parse", "main"], in: bare)
        try FileManager.default.removeItem(atPath: state)
        #expect(try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment).status == 1)
        #expect(!FileManager.default.fileExists(atPath: key))
        #expect(try sandbox.git(["rev-parse", "main"], in: bare) == tip)
    }

    @Test("the service with no key reports the repository stalled in STATUS=; after key generate, a reload publishes")
    func reloadAfterGenerate() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: bare)
        let config = "\(sandbox.root)/handoffd.yaml"
        try Data((DemoRepository.configuration(repository: bare, stateDirectory: "\(sandbox.root)/state") + "poll_interval: 60\n").utf8)
            .write(to: URL(fileURLWithPath: config))
        let listener = DaemonServiceTests.NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let daemon = try ChildProcess(Executables.handoffd, ["--config", config], environment: environment, stderr: "\(sandbox.root)/daemon.log")
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        let ready = listener.wait(for: "READY=1")
        #expect(ready?.contains { $0.contains("stalled: demo (no signing key at") } == true, "\(ready ?? [])")
        #expect(try runProcess(Executables.handoffd, ["key", "generate", "--config", config]).status == 0)
        kill(daemon.pid, SIGHUP)
        let published = eventually { (try? sandbox.git(["log", "-1", "--format=%s", "main"], in: bare))?.hasPrefix("handoff: ") ?? false }
        #expect(published, "no status after the reload")
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait() == 0)
    }
}
