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
