import Foundation
import GitTestSupport
import HandoffSystem
import Testing

/// Issue 15, item 5: the README's participant guide, run exactly as printed against the real daemon.
@Suite("The README's participant guide", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct ParticipantGuideTests {
    /// The commands of the README's participant guide: the `sh` block after its marker.
    static func guide() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let after = try #require(readme.components(separatedBy: "<!-- participant-guide -->\n```sh\n").dropFirst().first)
        return try #require(after.components(separatedBy: "\n```").first)
    }

    @Test("from handoff demo to delivered, verbatim, with no pull")
    func verbatim() throws {
        let sandbox = try Sandbox()
        let demo = "\(sandbox.root)/demo"
        #expect(try runProcess(Executables.handoff, ["demo", demo]).status == 0)
        let daemon = try ChildProcess(
            Executables.handoffd, ["--config", "\(demo)/handoffd.yaml"], environment: sandbox.environment, stderr: "\(sandbox.root)/daemon.log")
        defer {
            kill(daemon.pid, SIGTERM)
            _ = daemon.wait()
        }
        // The guide starts once handoffd serves the demo: its first pass has published a status.
        #expect(
            eventually {
                (try? sandbox.git(["log", "-1", "--format=%s", "handoff/status"], in: "\(demo)/specs.git"))?.hasPrefix("handoff: ") ?? false
            })
        var environment = sandbox.environment
        environment["DEMO"] = demo
        environment["PATH"] = "\(Executables.productsFolder):\(environment["PATH"] ?? "/usr/bin:/bin")"
        // The guide sets each clone's identity itself; the sandbox's fixed author lines must not stand in.
        for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] { environment[key] = nil }
        environment["GIT_AUTHOR_NAME"] = "Participant"
        environment["GIT_COMMITTER_NAME"] = "Participant"
        let script = try Self.guide()
        let folder = try sandbox.folder("people")
        let ran = try runProcess("/bin/bash", ["-euo", "pipefail", "-c", script], in: folder, environment: environment)
        #expect(ran.status == 0, "\(ran.stdout)\n\(ran.stderr)")
        #expect(ran.stdout.contains("PAY-142: ready → in_progress"), "\(ran.stdout)")
        #expect(ran.stdout.contains("PAY-142: in_progress → in_review"), "\(ran.stdout)")
        #expect(ran.stdout.contains("PAY-142: in_review → delivered"), "\(ran.stdout)")
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: "\(demo)/specs.git").contains("state: delivered"))
    }
}
