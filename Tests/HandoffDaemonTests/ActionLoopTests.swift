import Foundation
import GitTestSupport
import HandoffSystem
import Testing

/// Issue 15, item 2: `handoff <action> ID --push --wait` commits, pushes (rebasing when handoffd or anyone
/// moved the branch), waits for handoffd's status and says what became of the action.
@Suite("Actions that close their loop", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct ActionLoopTests {
    @Test("claim, block and unblock in a row with --push --wait and no pull; a stale clone's claim is refused with the reason")
    func inARow() throws {
        let sandbox = try Sandbox()
        #expect(try runProcess(Executables.handoff, ["demo", sandbox.root]).status == 0)
        let config = "\(sandbox.root)/handoffd.yaml"
        let bare = "\(sandbox.root)/specs.git"
        let daemon = try ChildProcess(
            Executables.handoffd, ["--config", config], environment: sandbox.environment, stderr: "\(sandbox.root)/daemon.log")
        defer {
            kill(daemon.pid, SIGTERM)
            _ = daemon.wait()
        }
        #expect(eventually { (try? sandbox.git(["log", "-1", "--format=%s", "main"], in: bare))?.hasPrefix("handoff: ") ?? false })
        var clones: [String] = []
        for name in ["first", "stale"] {
            let clone = "\(sandbox.root)/\(name)"
            try sandbox.git(["clone", "-q", bare, clone], in: sandbox.root)
            try sandbox.git(["config", "user.email", "dev@contractors.example"], in: clone)
            try signAsDemoParticipant("dev", demo: sandbox.root, clone: clone)
            clones.append(clone)
        }
        func act(_ arguments: [String], in clone: String) throws -> ProcessResult {
            try runProcess(Executables.handoff, arguments + ["--push", "--wait"], in: clone, environment: sandbox.environment)
        }
        let claimed = try act(["claim", "PAY-142", "-m", "starting"], in: clones[0])
        #expect(claimed.status == 0, "\(claimed.stdout)\(claimed.stderr)")
        #expect(claimed.stdout.contains("PAY-142: ready → in_progress (claim applied by handoffd"), "\(claimed.stdout)")
        // No pull in between: each action starts from the status the last one brought back.
        let blocked = try act(["block", "PAY-142", "-m", "waiting for legal"], in: clones[0])
        #expect(blocked.status == 0, "\(blocked.stdout)\(blocked.stderr)")
        #expect(blocked.stdout.contains("PAY-142: in_progress → in_progress (block applied"))
        let unblocked = try act(["unblock", "PAY-142"], in: clones[0])
        #expect(unblocked.status == 0, "\(unblocked.stdout)\(unblocked.stderr)")
        // The wait brought handoffd's status commit back: the clone is level with the remote, nothing to pull.
        #expect(try sandbox.git(["rev-parse", "main"], in: clones[0]) == sandbox.git(["rev-parse", "origin/main"], in: clones[0]))
        // A clone that still sees PAY-142 ready: its push is rebased onto the moved branch, then refused on its merits.
        let stale = try act(["claim", "PAY-142"], in: clones[1])
        #expect(stale.status == 1, "\(stale.stdout)\(stale.stderr)")
        #expect(stale.stderr.contains("handoff: refused") && stale.stderr.contains("claim"), "\(stale.stderr)")
    }
}
