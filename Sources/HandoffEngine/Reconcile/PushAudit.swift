import Foundation
public import Git
public import HandoffCore

/// A reason to refuse a push: which commit, which packet, what rule or event.
public struct PushRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The offending commit.
    public var commit: ObjectID
    /// The packet, when the problem concerns one.
    public var packet: PacketID?
    /// Why, in one line.
    public var reason: String
    /// Whether the committer lacked a role (or a verified identity) for it: the hook then says who grants roles.
    public var needsRole = false

    public var description: String {
        "\(commit.abbreviated(10))\(packet.map { " \($0)" } ?? ""): \(reason)"
    }
}

extension RepositoryProcessor {
    /// What the pre-receive hook refuses in `old..new`: forbidden or impossible actions, tampering with
    /// status files or the board (merges included), unauthorised policy changes, (when the policy requires
    /// it) packets pushed while not ready, and a rewrite of the watched branch by anyone but an operator.
    /// handoffd's own genuine commits are never refused.
    /// A deletion (`new` all zeros) is refused: it erases every recorded action, and a branch created again
    /// afterwards would be no rewrite to judge.
    public func audit(_ repository: Repository, old: ObjectID?, new: ObjectID) throws -> [PushRefusal] {
        guard !new.isZero else {
            return old.map {
                [
                    PushRefusal(
                        commit: $0, packet: nil,
                        reason: "deleting \(settings.branch) erases every recorded action: refused (an operator deletes it on the server)")
                ]
            } ?? []
        }
        var base = old
        if let old, !(try repository.isAncestor(old, of: new)) {
            // A rewrite erases recorded actions from history: only an operator may, and a rewrite by one
            // is judged from where the two histories part.
            let pusher = try CommitIdentifier(settings.identityMode).identify(try repository.commit(new), in: repository)
            guard pusher.problem == nil, RoleBook(operators: settings.operators).roles(of: pusher.identity).contains(.operator) else {
                return [
                    PushRefusal(
                        commit: new, packet: nil,
                        reason: "non-fast-forward update of \(settings.branch) by \(pusher.identity), who is not an operator: only an "
                            + "operator may rewrite its history (git pull --rebase, then push on top)")
                ]
            }
            // Who pushes is known only from the tip's signature: without more, any commit an operator ever signed
            // (in a tag, a fork, history rewritten away) would let anyone roll the branch back to it. So the
            // operator's tip names, inside what they signed, the very tip it replaces.
            guard Self.authorizesRewrite(try repository.commit(new), of: old) else {
                return [
                    PushRefusal(
                        commit: new, packet: nil,
                        reason: "non-fast-forward update of \(settings.branch): an operator's rewrite names the tip it replaces in a "
                            + "signed commit of its own (git commit --allow-empty -S -m 'Rewrite \(settings.branch)' --trailer "
                            + "'\(Self.rewriteTrailerKey): \(old.hex)', then push it)")
                ]
            }
            base = try repository.mergeBase(old, new)
        }
        do {
            return try audit(repository, old: base, new: new, rebuild: false)
        } catch is StatusLoader.Unreadable {
            return try audit(repository, old: base, new: new, rebuild: true)
        }
    }

    /// The trailer by which an operator's rewrite names the tip it replaces.
    public static let rewriteTrailerKey = "Handoff-Rewrites"

    /// Whether `commit` carries a ``rewriteTrailerKey`` trailer naming `old` by its full id: a prefix could be
    /// ground out (a commit made to start with the digits an old trailer names).
    static func authorizesRewrite(_ commit: Commit, of old: ObjectID) -> Bool {
        commit.trailers.contains { trailer in
            trailer.key.caseInsensitiveCompare(rewriteTrailerKey) == .orderedSame
                && ObjectID(hex: trailer.value.trimmingCharacters(in: .whitespaces)) == old
        }
    }

    /// What the pre-receive hook refuses on the status branch (`status_branch`): everything but handoffd's
    /// own genuine status commits, fast-forwarded. Deleting or rewriting it, or any commit of anyone else's
    /// on it, is refused; the watched branch's commits that status commits name as first parents are input.
    public func auditStatusBranch(_ repository: Repository, old: ObjectID?, new: ObjectID) throws -> [PushRefusal] {
        let branch = settings.statusBranchName ?? settings.branch
        guard !new.isZero else {
            return old.map { [PushRefusal(commit: $0, packet: nil, reason: "deleting \(branch): only handoffd writes the status branch")] } ?? []
        }
        if let old, !(try repository.isAncestor(old, of: new)) {
            return [PushRefusal(commit: new, packet: nil, reason: "non-fast-forward update of \(branch): only handoffd writes the status branch")]
        }
        let input = try repository.referenceTarget(settings.reference)
        var foreign: [ObjectID] = []
        for id in try repository.commits(from: [new], hiding: (old.map { [$0] } ?? []) + (input.map { [$0] } ?? [])) {
            if try !own.isOwn(try repository.commit(id), in: repository) { foreign.append(id) }
        }
        // The tip itself is handoffd's, even when the watched branch holds it: a participant who merged the
        // status branch into it (which changes nothing of its own) could otherwise fast-forward this one there.
        if try !own.isOwn(try repository.commit(new), in: repository), !foreign.contains(new) { foreign.insert(new, at: 0) }
        // One line per foreign commit, up to a few: a push of thousands says so once.
        var refusals = foreign.prefix(Self.listedForeignCommits).map { id in
            PushRefusal(
                commit: id, packet: nil,
                reason: "\(branch) takes only status commits signed by handoffd's key (identity.trusted_keys); push to "
                    + "\(settings.branch) instead")
        }
        if foreign.count > Self.listedForeignCommits, let last = foreign.last {
            refusals.append(
                PushRefusal(
                    commit: last, packet: nil, reason: "and \(foreign.count - Self.listedForeignCommits) more commit(s) on \(branch) like these"))
        }
        return refusals
    }

    private func audit(_ repository: Repository, old: ObjectID?, new: ObjectID, rebuild: Bool) throws -> [PushRefusal] {
        var start = FoldStart(state: WorkflowState())
        if let old {
            // The state at the old tip: handoffd's last status, plus what came after it.
            if !rebuild { start = try auditStart(repository, below: old) }
            _ = try foldStep.fold(repository, from: start.covered, to: old, state: &start.state, loader: start.loader)
        }
        var refusals: [PushRefusal] = []
        let pushed = try repository.commits(from: [new], hiding: old.map { [$0] } ?? [])
        _ = try foldStep.fold(repository, commits: pushed, state: &start.state, loader: start.loader) { id, input, before, after in
            refusals += Self.refusals(of: id, input: input, before: before, after: after)
        }
        return refusals
    }

    /// Foreign commits named one by one when a push to the status branch is refused.
    public static let listedForeignCommits = 5

    /// handoffd's last status at or below `old`: on the status branch when it publishes there (the watched
    /// branch then holds none, and a walk down it would fold the whole history on every push), else on the
    /// watched branch itself.
    /// Under concurrent pushes handoffd may already cover commits newer than `old` (pushed while this hook
    /// ran): the walk goes down the status branch to the newest status that covers `old` or less.
    private func auditStart(_ repository: Repository, below old: ObjectID) throws -> FoldStart {
        if settings.statusReference != settings.reference, let statusTip = try repository.referenceTarget(settings.statusReference) {
            for id in try repository.commits(from: [statusTip], hiding: [old], newestFirst: true) {
                let commit = try repository.commit(id)
                guard let covered = try own.covered(by: commit, in: repository), repository.contains(covered),
                    try covered == old || repository.isAncestor(covered, of: old)
                else { continue }
                if let (state, loader) = try? ResumeStep.loadState(repository, tree: commit.tree) {
                    return FoldStart(state: state, covered: covered, loader: loader)
                }
                break
            }
        }
        return try resumeStep.newestTrusted(repository, below: old)
    }

    /// The refusals one folded commit earns: its new history entries and board events that refuse a push,
    /// and, under `require_ready`, the packets it left not ready.
    static func refusals(of id: ObjectID, input: CommitInput, before: WorkflowState, after: WorkflowState) -> [PushRefusal] {
        var refusals: [PushRefusal] = []
        for (packet, status) in after.packets.sorted(by: { $0.key < $1.key }) {
            let earlier = before.packets[packet]?.history.count ?? 0
            for entry in status.history.dropFirst(earlier) where entry.outcome.refusesPush {
                var refusal = PushRefusal(commit: id, packet: packet, reason: "\(entry.action): \(entry.note)")
                refusal.needsRole = entry.rejection?.isMissingRole ?? false
                refusals.append(refusal)
            }
        }
        // In signature mode a commit nobody can be held to is refused, even one that asks for nothing (once:
        // its rejected actions and changes already say why).
        if let problem = input.unverified, refusals.isEmpty {
            refusals.append(PushRefusal(commit: id, packet: nil, reason: "no verified identity (participant_identity: signature): \(problem.reason)"))
        }
        // By the tally, not the list's length: the board keeps its newest events only, so once full its
        // length no longer tells what is new.
        let fresh = after.recorded.refusing(since: before.recorded)
        for event in fresh.events { refusals.append(PushRefusal(commit: id, packet: nil, reason: "\(event.event): \(event.note)")) }
        if fresh.count > fresh.events.count {
            refusals.append(PushRefusal(commit: id, packet: nil, reason: "and \(fresh.count - fresh.events.count) more refused event(s) like these"))
        }
        if after.policy.requireReady {
            for (packet, change) in input.touched.sorted(by: { $0.key < $1.key }) {
                if let report = change.report, !report.isReady {
                    let first = report.findings.first { $0.severity == .error }
                    refusals.append(
                        PushRefusal(
                            commit: id, packet: packet,
                            reason: "not ready (require_ready): \(first.map { "\($0.formatted)" } ?? "\(report.errorCount) error(s)")"))
                }
            }
        }
        return refusals
    }
}
