import Foundation
import GitTestSupport
import HandoffEngine
import Testing

/// `handoff hook install` against a configuration that serves several repositories.
@Suite("Hook install", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct HookInstallTests {
    @Test("--repo picks the configured repository served at that path (through a symlink too); an unknown path names the choices")
    func repoMatchesConfiguredPath() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        for name in ["alpha", "beta"] {
            try sandbox.git(["init", "-q", "--bare", "-b", "main", "\(sandbox.root)/\(name).git"], in: sandbox.root)
        }
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.root)/link.git", withDestinationPath: "\(sandbox.root)/beta.git")
        let config = "\(sandbox.root)/handoffd.yaml"
        try Data(
            """
            identity:
              name: handoffd
              email: handoffd@acme.example
            state_directory: \(sandbox.root)/state
            repositories:
              - name: alpha
                path: \(sandbox.root)/alpha.git
                branch: main
                operators: [ops@acme.example]
              - name: beta
                path: \(sandbox.root)/./beta.git
                branch: main
                operators: [ops@acme.example]

            """.utf8
        ).write(to: URL(fileURLWithPath: config))

        let installed = try runProcess(CLITests.handoff, ["hook", "install", "--repo", "\(sandbox.root)/link.git", "--config", config])
        #expect(installed.status == 0, "\(installed.stderr)")
        let hook = try String(contentsOfFile: "\(sandbox.root)/beta.git/hooks/pre-receive", encoding: .utf8)
        #expect(hook.contains("--name 'beta'"), "the hook names the entry it was installed for: \(hook)")
        let poke = try String(contentsOfFile: "\(sandbox.root)/beta.git/hooks/post-receive", encoding: .utf8)
        #expect(poke.contains("--name 'beta'"))

        try sandbox.git(["init", "-q", "--bare", "-b", "main", "\(sandbox.root)/gamma.git"], in: sandbox.root)
        let unknown = try runProcess(CLITests.handoff, ["hook", "install", "--repo", "\(sandbox.root)/gamma.git", "--config", config])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("none at \(sandbox.root)/gamma.git") && unknown.stderr.contains("one of: alpha, beta"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(sandbox.root)/gamma.git/hooks/pre-receive"))
    }

    @Test("a hook installed by a `handoff` found on PATH through a symlink execs the real binary's absolute path (issue 11, item 5)")
    func binaryResolvedThroughPathAndSymlinks() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        try sandbox.git(["init", "-q", "--bare", "-b", "main", "\(sandbox.root)/specs.git"], in: sandbox.root)
        let bin = try sandbox.folder("bin")
        try FileManager.default.createSymbolicLink(atPath: "\(bin)/handoff", withDestinationPath: CLITests.handoff)
        let elsewhere = try sandbox.folder("elsewhere")
        let config = "\(sandbox.root)/handoffd.yaml"
        try Data(
            "identity: {email: handoffd@acme.example}\nstate_directory: \(sandbox.root)/state\nrepositories:\n  - {name: specs, path: \(sandbox.root)/specs.git, operators: [ops@acme.example]}\n"
                .utf8
        ).write(to: URL(fileURLWithPath: config))
        let installed = try runProcess(
            "/bin/sh",
            [
                "-c",
                "cd \(Hook.quoted(elsewhere)) && PATH=\(Hook.quoted(bin)):/usr/bin:/bin handoff hook install --repo ../specs.git --config ../handoffd.yaml",
            ])
        #expect(installed.status == 0, "\(installed.stderr)")
        let hook = try String(contentsOfFile: "\(sandbox.root)/specs.git/hooks/pre-receive", encoding: .utf8)
        let real = URL(fileURLWithPath: CLITests.handoff).resolvingSymlinksInPath().path
        #expect(hook.contains("exec '\(real)' hook pre-receive --config '\(sandbox.root)/handoffd.yaml'"), "\(hook)")
    }
}

/// Shell quoting for the test's command lines.
private enum Hook {
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// Issue 11, item 5: git runs the pre-receive hook as the user that serves the push, who cannot read
/// handoffd's state directory; the hook verifies with public keys only, and says so when it has none.
@Suite("The hook as another user", .enabled(if: Nobody.possible, "needs root, setpriv and a handoff binary that user nobody can run"))
struct HookAsAnotherUserTests {
    static let setpriv = Nobody.setpriv

    @Test(
        "as nobody, with a 0700 state directory: refused with what to configure; with trusted_keys, a valid push lands and a forbidden one is refused"
    )
    func hookAsNobody() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let bare = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: bare)
        let config = "\(sandbox.root)/handoffd.yaml"
        let state = "\(sandbox.root)/state"
        try Data(DemoRepository.configuration(repository: bare, stateDirectory: state).utf8).write(to: URL(fileURLWithPath: config))
        #expect(try runProcess(CLITests.handoffd, ["--config", config, "--once"], environment: sandbox.environment).status == 0)
        #expect(try runProcess(CLITests.handoff, ["hook", "install", "--repo", bare, "--config", config]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: state)
        // The repository belongs to the serving user, as it would under git-daemon or ssh; so does their home.
        let home = try sandbox.folder("nobody")
        for path in [bare, home] { #expect(try runProcess("/bin/chown", ["-R", "65534:65534", path]).status == 0) }
        var environment = sandbox.environment
        environment["HOME"] = home
        func asNobody(_ arguments: [String], in folder: String = home) throws -> ProcessResult {
            try runProcess(Self.setpriv[0], Array(Self.setpriv.dropFirst()) + arguments, in: folder, environment: environment)
        }
        #expect(try asNobody(["/usr/bin/git", "clone", "-q", bare, "\(home)/clone"]).status == 0)
        let clone = "\(home)/clone"
        let contractor = ["GIT_AUTHOR_EMAIL": "dev@contractors.example", "GIT_COMMITTER_EMAIL": "dev@contractors.example"]
        environment.merge(contractor) { $1 }
        #expect(try asNobody(["/usr/bin/git", "commit", "-q", "--allow-empty", "-m", "Claim\n\nHandoff: claim PAY-142"], in: clone).status == 0)

        let blind = try asNobody(["/usr/bin/git", "push", "origin", "main"], in: clone)
        #expect(blind.status != 0, "the hook let a push through without knowing handoffd's keys")
        #expect(blind.stderr.contains("cannot tell handoffd's own commits: \(state)/handoffd_ed25519.pub is not readable"), "\(blind.stderr)")
        #expect(blind.stderr.contains("identity.trusted_keys"))

        let line = try runProcess(CLITests.handoffd, ["key", "show", "--config", config]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "identity:\n", with: "identity:\n  trusted_keys: [\"\(line)\"]\n").write(
            toFile: config, atomically: true, encoding: .utf8)
        let landed = try asNobody(["/usr/bin/git", "push", "origin", "main"], in: clone)
        #expect(landed.status == 0, "\(landed.stderr)")
        #expect(try asNobody(["/usr/bin/git", "commit", "-q", "--allow-empty", "-m", "Accept\n\nHandoff: accept PAY-142"], in: clone).status == 0)
        let refused = try asNobody(["/usr/bin/git", "push", "origin", "main"], in: clone)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("handoff: refused"), "\(refused.stderr)")
    }
}

/// Running commands as user nobody, from a test run as root.
enum Nobody {
    static let setpriv = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    /// Whether this process can switch to nobody and nobody can run the built binary.
    static let possible: Bool = {
        guard CLITests.built, getuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv[0]) else { return false }
        return (try? runProcess(setpriv[0], Array(setpriv.dropFirst()) + [CLITests.handoff, "--version"]).status) == 0
    }()
}
