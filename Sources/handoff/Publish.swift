import ArgumentParser
import Foundation
import Git
import HandoffCore
import HandoffEngine
import HandoffSystem

/// `--push` and `--wait` of the action commands: push the action commit (rebasing onto the remote when it
/// moved), then wait until handoffd's published status covers it and say what became of it. Pushing and
/// fetching go through the `git` command, so a participant's own remotes, credentials and signing apply.
struct ActionPublisher {
    /// The clone's work tree.
    let folder: String
    /// The branch the action is on (`refs/heads/…`).
    let branch: String
    /// The branch's upstream remote and the remote branch it pushes to.
    let remote: String
    let remoteBranch: String
    /// Most push attempts; each refused one that the remote moved under is followed by a pause, a fetch, and the
    /// action recorded again (or the branch rebased) on the new tip.
    static let attempts = 20

    init(clone: LocalClone, folder: String) throws {
        self.folder = folder
        branch = clone.branch
        let short = Repository.shortBranchName(branch)
        remote = try clone.repository.configValue("branch.\(short).remote") ?? "origin"
        let merge = try clone.repository.configValue("branch.\(short).merge") ?? branch
        remoteBranch = Repository.shortBranchName(merge)
    }

    /// The branch's short name, as git shows it.
    var shortBranch: String { Repository.shortBranchName(branch) }

    /// The remote-tracking reference of the pushed branch.
    var tracking: String { "refs/remotes/\(remote)/\(remoteBranch)" }

    /// Runs `git` in the clone; its output is returned, not shown.
    func git(_ arguments: [String]) throws -> ChildProcess.Completion {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-git-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        return try ChildProcess.run("git", arguments, in: folder, scratch: scratch)
    }

    /// Pushes the action commit `first`, made on the branch's tip or, with `onRemoteTip`, on the remote's fetched
    /// tip, the branch itself left where it is; returns the commit that landed and how many pushes it took. When
    /// the remote moved under it, `rebuild` records the refused commit again, with no second judgement, on the
    /// remote's new tip (with `onRemoteTip`: no rebase or checkout in between, so that others' pushes have the
    /// least time to land) or else on the branch rebased onto that tip (its own commits go along). The branch is
    /// fast-forwarded to the commit that landed; a push that fails for good leaves no action commit on it, so
    /// that running the command again records the action once.
    func push(
        _ first: ObjectID, onRemoteTip: Bool, rebuild: (_ refused: ObjectID, _ tip: ObjectID) throws -> ObjectID
    ) throws -> (commit: ObjectID, attempts: Int) {
        var commit = first
        var said = ""
        for attempt in 1...Self.attempts {
            let pushed = try git(["push", "--quiet", remote, "\(commit.hex):refs/heads/\(remoteBranch)"])
            said = String(decoding: pushed.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if pushed.status == 0 {
                // Outside the race now: a checkout that fails (local changes in the way) leaves the branch behind,
                // which the next action or git pull makes up.
                let merged = try git(["merge", "--ff-only", "--quiet", commit.hex])
                if merged.status != 0 {
                    FileHandle.standardError.write(merged.stderr)
                    FileHandle.standardError.write(
                        Data(
                            "handoff: \(safe(shortBranch)) was not fast-forwarded to \(commit.abbreviated(7)); git pull --rebase --autostash to catch up\n"
                                .utf8))
                }
                return (commit, attempt)
            }
            guard try remoteMoved(since: commit, refusal: pushed, attempt: attempt), attempt < Self.attempts else { break }
            if !onRemoteTip { try rebaseOntoRemote() }
            guard let tip = try Repository.open(at: folder, searchParents: true).referenceTarget(onRemoteTip ? tracking : branch) else { break }
            commit = try rebuild(commit, tip)
        }
        throw keptMoving(said)
    }

    /// After a refused push of `commit`: pauses, fetches, and says whether the remote moved under it (then the
    /// caller records or rebases again), or refused it on its merits (its refusal is shown, and that is final).
    /// Decided by the repository, not by git's words: when the remote's tip is already in the pushed history, the
    /// push was refused on its merits.
    private func remoteMoved(since commit: ObjectID, refusal: ChildProcess.Completion, attempt: Int) throws -> Bool {
        // Participants who collided would collide again in lockstep: each waits a random share of a window that
        // doubles with every attempt (25 ms, 50 ms, … at most 1.6 s). The fetch comes after the pause, so that
        // the next push starts from the freshest tip.
        usleep(UInt32.random(in: 0...UInt32(min(25_000 << (attempt - 1), 1_600_000))))
        _ = try fetchForAction()
        let repository = try Repository.open(at: folder, searchParents: true)
        guard let theirs = try repository.referenceTarget(tracking), try !repository.isAncestor(theirs, of: commit) else {
            FileHandle.standardError.write(refusal.stderr)
            FileHandle.standardError.write(
                Data("handoff: the push failed; no action commit was left on \(safe(shortBranch)) (nothing to undo)\n".utf8))
            throw ExitCode(1)
        }
        return true
    }

    private func keptMoving(_ said: String) -> CannotCheck {
        CannotCheck(
            "\(remote)/\(remoteBranch) kept moving: \(Self.attempts) pushes were overtaken; try again (the last push said: \(said))")
    }

    /// Before an action is recorded: fetches the branch and handoffd's status branch in one go. Returns the
    /// remote's tip when the branch has nothing of its own (the action is then recorded on that tip and the
    /// branch fast-forwarded after the push); else brings the branch level with the remote, as
    /// `git pull --rebase` would, and returns nil. A remote that cannot be fetched is left to the push to report.
    func level() throws -> ObjectID? {
        guard try fetchForAction() else { return nil }
        let repository = try Repository.open(at: folder, searchParents: true)
        if let head = try repository.referenceTarget(branch), let theirs = try repository.referenceTarget(tracking),
            try head == theirs || repository.isAncestor(head, of: theirs)
        {
            return theirs
        }
        try rebaseOntoRemote()
        return nil
    }

    /// Fetches the pushed branch and handoffd's status branch; false when the branch could not be fetched.
    private func fetchForAction() throws -> Bool {
        try fetchBranchAndStatus { try git($0).status == 0 }
    }

    /// Fetches the pushed branch and handoffd's status branch through `run` (a `git` command line; true when it
    /// succeeded): in one `git fetch` when both are on one remote and the clone has seen the status branch, apart
    /// before (a remote in same-branch mode has none, and a fetch naming it fails whole). No automatic
    /// maintenance: it would run between the fetch and the push that follows. True when the branch was fetched.
    private func fetchBranchAndStatus(_ run: ([String]) throws -> Bool) throws -> Bool {
        let repository = try Repository.open(at: folder, searchParents: true)
        let own = "refs/heads/\(remoteBranch):\(tracking)"
        let fetch = ["fetch", "--quiet", "--no-auto-maintenance"]
        guard let source = try LocalClone.statusBranchSource(repository, currentBranch: branch) else { return try run(fetch + [remote, own]) }
        if source.remote == remote, try repository.referenceTarget(source.tracking) != nil, try run(fetch + [remote, own, source.refspec]) {
            return true
        }
        _ = try run(fetch + [source.remote, source.refspec])
        return try run(fetch + [remote, own])
    }

    /// Brings the branch level with the fetched remote branch when that has commits the branch lacks: a
    /// fast-forward when the branch has nothing of its own, else a rebase.
    private func rebaseOntoRemote() throws {
        let repository = try Repository.open(at: folder, searchParents: true)
        guard let head = try repository.referenceTarget(branch), let theirs = try repository.referenceTarget(tracking),
            try !repository.isAncestor(theirs, of: head)
        else { return }
        if try repository.isAncestor(head, of: theirs), try git(["merge", "--ff-only", "--quiet", tracking]).status == 0 { return }
        let rebased = try git(["rebase", "--quiet", "--autostash", tracking])
        if rebased.status != 0 {
            _ = try git(["rebase", "--abort"])
            throw CannotCheck(
                "\(remote)/\(remoteBranch) moved and the branch does not rebase onto it cleanly: "
                    + "\(String(decoding: rebased.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)); "
                    + "git pull --rebase, resolve, then run the command again")
        }
    }

    /// Waits up to `seconds` for handoffd's status to cover `commit`; then fast-forwards the branch to the
    /// remote's (so that the next action sees the new status) and returns what became of the action.
    func wait(
        for commit: ObjectID, action: WorkflowAction, packet: PacketID, seconds: Double, clone: LocalClone
    ) throws -> LocalClone.PublishedOutcome {
        let source = try LocalClone.statusBranchSource(clone.repository, currentBranch: branch)
        let keys = try clone.trustedKeys()
        let deadline = Date().addingTimeInterval(seconds)
        var outcome = LocalClone.PublishedOutcome.pending
        // handoffd publishes about a tenth of a second after a push (B2): the first look waits that long.
        usleep(120_000)
        repeat {
            // Each fetch ends by the deadline too: a remote that hangs cannot hold --wait past its seconds.
            _ = try fetchBranchAndStatus {
                StatusBranchFetch.fetch(
                    $0, in: folder, environment: ProcessInfo.processInfo.environment, within: max(deadline.timeIntervalSinceNow, 0.5))
            }
            let repository = try Repository.open(at: folder, searchParents: true)
            let statusBranch = try source.flatMap { try repository.referenceTarget($0.tracking) != nil ? $0.tracking : nil }
            outcome = try LocalClone.publishedOutcome(
                of: commit, action: action, packet: packet, in: repository, branch: tracking, statusBranch: statusBranch, keys: keys)
            if outcome != .pending { break }
            usleep(200_000)
        } while Date() < deadline
        if outcome != .pending { _ = try git(["merge", "--ff-only", "--quiet", tracking]) }
        return outcome
    }
}

/// Brings handoffd's status branch up to date before a command shows or checks status: one `git fetch` of
/// that branch alone. A remote in same-branch mode has none, and an unreachable one leaves the last fetched
/// copy: either way the command goes on with what the clone has, warning only when that copy may be old.
enum StatusBranchFetch {
    static func refresh(folder: String) {
        guard let repository = try? Repository.open(at: folder, searchParents: true), !repository.isBare,
            let branch = try? repository.headBranch(),
            let source = try? LocalClone.statusBranchSource(repository, currentBranch: branch),
            (try? repository.configValue("remote.\(source.remote).url")) != nil
        else { return }
        // Never a prompt for credentials: this fetch is a courtesy, not what the user asked for.
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        // Bounded: a remote that hangs must not hang `handoff board` (git config handoff.fetchTimeout, seconds).
        let seconds = (try? repository.configValue("handoff.fetchTimeout")).flatMap { $0.flatMap(Double.init) }.map { min(max($0, 0.1), 600) }
        let fetched = fetch(["fetch", "--quiet", source.remote, source.refspec], in: folder, environment: environment, within: seconds ?? timeout)
        if !fetched, (try? repository.referenceTarget(source.tracking)) != nil {
            FileHandle.standardError.write(
                Data("handoff: could not fetch \(safe(source.remote))/\(safe(source.name)); showing the status as last fetched\n".utf8))
        }
    }

    /// Longest wait for the status branch, in seconds, unless `handoff.fetchTimeout` says otherwise.
    static let timeout = 15.0

    /// Runs git with `arguments` (output discarded); false when it failed or did not end within `seconds`
    /// (then it is stopped).
    static func fetch(_ arguments: [String], in folder: String, environment: [String: String], within seconds: Double) -> Bool {
        // A group of its own: a timeout stops git and what it started (ssh, a remote helper) together.
        guard let child = try? ChildProcess("git", arguments, in: folder, environment: environment, ownProcessGroup: true) else {
            return false
        }
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let status = child.exitStatusIfExited() { return status == 0 }
            guard Date() < deadline else {
                child.terminateGroup()
                return false
            }
            usleep(10_000)
        }
    }
}
