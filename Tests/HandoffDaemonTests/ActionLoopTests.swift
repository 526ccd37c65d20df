import Foundation
import GitTestSupport
import HandoffEngine
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
        // The demo publishes status on its own branch: main holds only what people pushed.
        let mainBefore = try sandbox.git(["rev-parse", "main"], in: bare)
        #expect(eventually { (try? sandbox.git(["log", "-1", "--format=%s", "handoff/status"], in: bare))?.hasPrefix("handoff: ") ?? false })
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
        #expect(
            try sandbox.git(["log", "--format=%s", "\(mainBefore.trimmingCharacters(in: .whitespacesAndNewlines))..main"], in: bare)
                .split(separator: "\n").allSatisfy { !$0.hasPrefix("handoff: ") }, "no status commit on main")
        // A clone that never pulled: the command fetches the status branch first, so its claim is refused
        // locally with the packet's real state, before anything is pushed.
        let stale = try act(["claim", "PAY-142"], in: clones[1])
        #expect(stale.status == 1, "\(stale.stdout)\(stale.stderr)")
        #expect(stale.stderr.contains("cannot claim PAY-142") && stale.stderr.contains("in_progress"), "\(stale.stderr)")
        // Its raw push of the same claim is refused by the hook on its merits, after a rebase onto the moved main.
        try sandbox.git(["commit", "-q", "--allow-empty", "-S", "-m", "claim\n\nHandoff: claim PAY-142"], in: clones[1])
        let raw = try runProcess("/usr/bin/git", ["push", "origin", "HEAD:main"], in: clones[1], environment: sandbox.environment)
        #expect(raw.status != 0)
        try sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: clones[1])
        let refused = try runProcess("/usr/bin/git", ["push", "origin", "HEAD:main"], in: clones[1], environment: sandbox.environment)
        #expect(refused.status != 0 && refused.stderr.contains("handoff: refused"), "\(refused.stderr)")
        // Nobody but handoffd writes the status branch: the hook refuses a participant's commit there.
        try sandbox.git(["checkout", "-q", "-b", "forge", "origin/handoff/status"], in: clones[1])
        try sandbox.git(["commit", "-q", "--allow-empty", "-S", "-m", "delivered, honestly"], in: clones[1])
        let forged = try runProcess("/usr/bin/git", ["push", "origin", "forge:handoff/status"], in: clones[1], environment: sandbox.environment)
        #expect(forged.status != 0 && forged.stderr.contains("takes only status commits signed by handoffd"), "\(forged.stdout)\(forged.stderr)")
    }

    @Test(
        "when main moves under the push, the action is recorded again on the new tip, signed, and the branch fast-forwarded; a branch with a commit of its own is rebased"
    )
    func remoteMovesUnderThePush() throws {
        let (sandbox, daemon) = try Self.servedDemo()
        defer { Self.stop(daemon) }
        let bare = "\(sandbox.root)/specs.git"
        let (clone, other) = ("\(sandbox.root)/dev", "\(sandbox.root)/other")
        for (folder, who) in [(clone, "dev"), (other, "ana")] { try Self.signedClone(folder, as: who, in: sandbox) }
        // Someone else's push lands while this clone's push is under way: its client-side pre-push hook (run after
        // the fetch and the action commit) pushes from the other clone, once per marker file.
        let hook = "\(clone)/.git/hooks/pre-push"
        try Data(
            """
            #!/bin/sh
            cat >/dev/null
            unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
            if [ -e "\(sandbox.root)/interlope" ]; then
              rm "\(sandbox.root)/interlope"
              cd "\(other)" && git pull -q --rebase origin main && git commit -q --allow-empty -m "a note from Ana" && git push -q origin HEAD:main
            fi
            exit 0

            """.utf8
        ).write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        _ = FileManager.default.createFile(atPath: "\(sandbox.root)/interlope", contents: nil)
        let claimed = try runProcess(
            Executables.handoff, ["claim", "PAY-142", "--push", "--wait"], in: clone, environment: sandbox.environment)
        #expect(claimed.status == 0, "\(claimed.stdout)\(claimed.stderr)")
        #expect(claimed.stdout.contains("after 2 attempts (origin/main moved; recorded again on it)"), "\(claimed.stdout)")
        #expect(claimed.stdout.contains("PAY-142: ready → in_progress (claim applied by handoffd"), "\(claimed.stdout)")
        // The claim that landed sits on Ana's note, signed again (the hook takes only verified commits), and the
        // clone's branch was fast-forwarded to it.
        let landed = try sandbox.git(["rev-parse", "main"], in: bare).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sandbox.git(["log", "-1", "--format=%s", "\(landed)^"], in: bare).hasPrefix("a note from Ana"))
        #expect(try sandbox.git(["rev-parse", "main"], in: clone).trimmingCharacters(in: .whitespacesAndNewlines) == landed)
        // A branch with a commit of its own goes the other way: the branch is rebased onto the moved main.
        try sandbox.git(["commit", "-q", "--allow-empty", "-m", "a note from Dev"], in: clone)
        _ = FileManager.default.createFile(atPath: "\(sandbox.root)/interlope", contents: nil)
        let blocked = try runProcess(
            Executables.handoff, ["block", "PAY-142", "-m", "waiting", "--push", "--wait"], in: clone, environment: sandbox.environment)
        #expect(blocked.status == 0, "\(blocked.stdout)\(blocked.stderr)")
        #expect(blocked.stdout.contains("after 2 attempts (origin/main moved; rebased)"), "\(blocked.stdout)")
        #expect(
            try sandbox.git(["log", "-3", "--format=%s", "main"], in: bare).split(separator: "\n").map(String.init)
                == ["block PAY-142: waiting", "a note from Dev", "a note from Ana"])
    }

    @Test("a push that cannot reach the remote leaves the branch as it was, with or without commits of its own; the retry records the action once")
    func unreachableRemote() throws {
        let (sandbox, daemon) = try Self.servedDemo()
        defer { Self.stop(daemon) }
        let bare = "\(sandbox.root)/specs.git"
        let clone = "\(sandbox.root)/dev"
        try Self.signedClone(clone, as: "dev", in: sandbox)
        func act(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(Executables.handoff, arguments, in: clone, environment: sandbox.environment)
        }
        // The remote is out of reach: nothing is fetched, nothing pushed, and nothing is left on the branch.
        try sandbox.git(["config", "remote.origin.url", "\(sandbox.root)/nowhere.git"], in: clone)
        let before = try sandbox.git(["rev-parse", "main"], in: clone)
        let unreachable = try act(["claim", "PAY-142", "--push"])
        #expect(unreachable.status == 1, "\(unreachable.stdout)\(unreachable.stderr)")
        #expect(try sandbox.git(["rev-parse", "main"], in: clone) == before, "the claim stayed on the branch")
        // Back in reach: the retry carries one claim, which handoffd applies.
        try sandbox.git(["config", "remote.origin.url", bare], in: clone)
        let retried = try act(["claim", "PAY-142", "--push", "--wait"])
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(retried.stdout.contains("PAY-142: ready → in_progress (claim applied by handoffd"), "\(retried.stdout)")
        #expect(try sandbox.git(["log", "--format=%s", "main"], in: bare).split(separator: "\n").filter { $0 == "claim PAY-142" }.count == 1)
        // A branch with a commit of its own keeps that commit, and only that, when the push fails.
        try sandbox.git(["commit", "-q", "--allow-empty", "-m", "a note from Dev"], in: clone)
        let own = try sandbox.git(["rev-parse", "main"], in: clone)
        try sandbox.git(["config", "remote.origin.url", "\(sandbox.root)/nowhere.git"], in: clone)
        let blocked = try act(["block", "PAY-142", "-m", "waiting", "--push"])
        #expect(blocked.status == 1, "\(blocked.stdout)\(blocked.stderr)")
        #expect(try sandbox.git(["rev-parse", "main"], in: clone) == own, "the block stayed on the branch")
        try sandbox.git(["config", "remote.origin.url", bare], in: clone)
        let again = try act(["block", "PAY-142", "-m", "waiting", "--push", "--wait"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try sandbox.git(["log", "-2", "--format=%s", "main"], in: bare) == "block PAY-142: waiting\na note from Dev")
        #expect(try sandbox.git(["rev-parse", "main"], in: clone) == sandbox.git(["rev-parse", "main"], in: bare))
    }

    @Test("when local changes stop the fast-forward after the push, the warning names the branch, says why, and gives advice that works")
    func localChangesInTheWay() throws {
        let (sandbox, daemon) = try Self.servedDemo()
        defer { Self.stop(daemon) }
        let bare = "\(sandbox.root)/specs.git"
        let (clone, other) = ("\(sandbox.root)/dev", "\(sandbox.root)/other")
        for (folder, who) in [(clone, "dev"), (other, "ana")] { try Self.signedClone(folder, as: who, in: sandbox) }
        // Ana changes a file that this clone has changed too, without committing.
        let file = "specs/PAY-150/context.md"
        try Data("Ana's words\n".utf8).write(to: URL(fileURLWithPath: "\(other)/\(file)"))
        try sandbox.git(["commit", "-q", "-am", "Ana edits PAY-150"], in: other)
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: other)
        try Data("Dev's words\n".utf8).write(to: URL(fileURLWithPath: "\(clone)/\(file)"))
        let claimed = try runProcess(Executables.handoff, ["claim", "PAY-142", "--push"], in: clone, environment: sandbox.environment)
        #expect(claimed.status == 0, "\(claimed.stdout)\(claimed.stderr)")
        #expect(claimed.stderr.contains("handoff: main was not fast-forwarded"), "\(claimed.stderr)")
        #expect(claimed.stderr.contains(file), "git's reason is shown: \(claimed.stderr)")
        #expect(claimed.stderr.contains("git pull --rebase --autostash"), "\(claimed.stderr)")
        // The advice works: the branch catches up and the local change is kept (in the stash, as it conflicts).
        try sandbox.git(["pull", "-q", "--rebase", "--autostash"], in: clone)
        #expect(try sandbox.git(["rev-parse", "main"], in: clone) == sandbox.git(["rev-parse", "main"], in: bare))
    }

    /// `handoff demo` in a new sandbox with handoffd serving it, once handoffd has published its first status.
    static func servedDemo() throws -> (Sandbox, ChildProcess) {
        let sandbox = try Sandbox()
        #expect(try runProcess(Executables.handoff, ["demo", sandbox.root]).status == 0)
        let daemon = try ChildProcess(
            Executables.handoffd, ["--config", "\(sandbox.root)/handoffd.yaml"], environment: sandbox.environment,
            stderr: "\(sandbox.root)/daemon.log")
        let bare = "\(sandbox.root)/specs.git"
        #expect(eventually { (try? sandbox.git(["log", "-1", "--format=%s", "handoff/status"], in: bare))?.hasPrefix("handoff: ") ?? false })
        return (sandbox, daemon)
    }

    /// Stops handoffd by its process id.
    static func stop(_ daemon: ChildProcess) {
        kill(daemon.pid, SIGTERM)
        _ = daemon.wait()
    }

    /// A clone of the demo at `folder` whose commits are signed by the demo participant `who`.
    static func signedClone(_ folder: String, as who: String, in sandbox: Sandbox) throws {
        try sandbox.git(["clone", "-q", "\(sandbox.root)/specs.git", folder], in: sandbox.root)
        try sandbox.git(["config", "user.email", DemoRepository.participants.first { $0.short == who }!.email], in: folder)
        try signAsDemoParticipant(who, demo: sandbox.root, clone: folder)
    }
}
