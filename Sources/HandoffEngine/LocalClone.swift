import Foundation
public import Git
public import HandoffCore

/// A participant's clone as `handoff` sees it: the current branch, its policy and the status handoffd
/// last wrote there. Actions are checked against that status, then recorded as trailer-only commits.
public struct LocalClone {
    /// The clone's repository.
    public let repository: Repository
    /// The current branch (`refs/heads/…`).
    public let branch: String
    /// The current branch's short name, as git shows it.
    public var shortBranch: String { Repository.shortBranchName(branch) }
    /// The branch's tip.
    public let head: ObjectID
    /// The tip's tree, read through the Git layer.
    public let view: GitTreeView
    /// The policy at the tip (its problems are ignored here: handoffd reports them).
    public let policy: Policy
    /// The status files handoffd last wrote (at the tip, or on the status branch), by packet.
    public let statusFiles: [PacketID: String]
    /// The commit the status files come from when handoffd publishes to a separate status branch
    /// (git config `handoff.statusBranch`); nil when they are on the current branch.
    public let statusCommit: ObjectID?

    /// Every packet's status as handoffd last wrote it on this branch.
    public var statuses: [PacketID: PacketStatus] {
        statusFiles.compactMapValues { try? StatusFile.parse($0) }
    }

    /// What a board shows of every packet, read quickly.
    public var summaries: [StatusSummary] {
        statusFiles.values.compactMap(StatusFile.summary).sorted { $0.id < $1.id }
    }

    /// One packet's full status, or nil.
    public func status(of id: PacketID) -> PacketStatus? {
        statusFiles[id].flatMap { try? StatusFile.parse($0) }
    }

    /// Why a command cannot work in this folder.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        /// One line: what is wrong and what to do.
        public var description: String
    }

    /// The clone that holds `path` (searching parent folders, as git does). With `tip`, the clone is seen as
    /// if its branch were at that commit (the remote's tip, fetched), while the branch itself stays put.
    public static func open(at path: String, onto tip: ObjectID? = nil) throws -> LocalClone {
        let repository: Repository
        do {
            repository = try Repository.open(at: path, searchParents: true)
        } catch {
            throw Problem(description: "\(error.description); run handoff inside a clone of the spec repository")
        }
        guard !repository.isBare else { throw Problem(description: "\(repository.gitDirectory) is bare; run handoff inside a clone") }
        guard let branch = try repository.headBranch() else {
            throw Problem(description: "HEAD is detached; check out the branch handoffd watches (e.g. git switch main)")
        }
        guard let head = try tip ?? repository.referenceTarget(branch) else {
            throw Problem(description: "\(branch) has no commits yet; pull first")
        }
        let view = try GitTreeView(repository: repository, commit: head)
        let policy = try Policy.load(from: view).0
        let statusCommit = try statusBranchTip(repository, currentBranch: branch)
        let statusView = try statusCommit.map { try GitTreeView(repository: repository, commit: $0) } ?? view
        var files: [PacketID: String] = [:]
        for entry in try statusView.entries(inFolder: policy.packetRoot) ?? [] where entry.kind == .folder {
            guard let id = PacketID(entry.name),
                case .bytes(let bytes) = try statusView.read("\(entry.path)/\(StatusFile.fileName)", limit: 16 << 20)
            else { continue }
            files[id] = String(decoding: bytes, as: UTF8.self)
        }
        return LocalClone(
            repository: repository, branch: branch, head: head, view: view, policy: policy, statusFiles: files,
            statusCommit: statusCommit)
    }

    /// Where a clone looks for handoffd's status branch: `git config handoff.statusBranch` names it (`off`:
    /// status is on the watched branch); without it, the default name, used when the remote has that branch.
    public struct StatusBranchSource: Sendable, Equatable {
        /// The branch's short name on the remote (`handoff/status`).
        public var name: String
        /// The remote it is fetched from: the current branch's upstream remote, else `origin`.
        public var remote: String
        /// Whether `handoff.statusBranch` names it (then its absence is an error, not same-branch mode).
        public var configured: Bool

        /// The remote-tracking reference that `git fetch` updates.
        public var tracking: String { "refs/remotes/\(remote)/\(name)" }
        /// The refspec that fetches it (forced: the status branch only fast-forwards, unless an operator rewrites).
        public var refspec: String { "+refs/heads/\(name):\(tracking)" }
    }

    /// The status branch a clone on `currentBranch` reads, or nil when `handoff.statusBranch` is `off`.
    public static func statusBranchSource(_ repository: Repository, currentBranch: String) throws -> StatusBranchSource? {
        let short = Repository.shortBranchName(currentBranch)
        let remote = try repository.configValue("branch.\(short).remote").flatMap { $0 == "." ? nil : $0 } ?? "origin"
        guard let configured = try repository.configValue("handoff.statusBranch") else {
            return StatusBranchSource(name: EngineSettings.defaultStatusBranch, remote: remote, configured: false)
        }
        let name = configured.hasPrefix("refs/heads/") ? String(configured.dropFirst(11)) : configured
        guard !name.isEmpty, name != "off" else { return nil }
        return StatusBranchSource(name: name, remote: remote, configured: true)
    }

    /// The tip of the status branch: the upstream's copy (refreshed by `git fetch`) when there is one, else
    /// a local branch of that name. Nil in same-branch mode: `handoff.statusBranch` is `off`, or it is unset
    /// and the remote has no `handoff/status`.
    static func statusBranchTip(_ repository: Repository, currentBranch: String) throws -> ObjectID? {
        guard let source = try statusBranchSource(repository, currentBranch: currentBranch) else { return nil }
        for candidate in [source.tracking, "refs/heads/\(source.name)"] {
            if let tip = try repository.referenceTarget(candidate) { return tip }
        }
        guard source.configured else { return nil }
        throw Problem(
            description: "handoff.statusBranch is '\(source.name)', but neither \(source.tracking) nor refs/heads/\(source.name) exists; "
                + "run git fetch (handoffd creates that branch on its first pass), or git config handoff.statusBranch off")
    }

    /// The user's identity from git's configuration (`user.name`, `user.email`).
    public func identity() throws -> (name: String, email: String) {
        guard let email = try repository.configValue("user.email"), !email.isEmpty else {
            throw Problem(description: "git has no user.email here; set it: git config user.email you@example.com")
        }
        return (try repository.configValue("user.name") ?? email, email)
    }

    /// How git would sign a commit made here, or nil when `commit.gpgsign` is off. Only SSH signatures
    /// (`gpg.format=ssh`) are made: they are what handoffd verifies under `participant_identity: signature`.
    public func commitSigner() throws -> CommitSigner? {
        guard try repository.configFlag("commit.gpgsign") == true else { return nil }
        let format = try repository.configValue("gpg.format") ?? "openpgp"
        guard format == "ssh" else {
            throw Problem(
                description: "commit.gpgsign is on with gpg.format=\(format); handoff signs with SSH keys only "
                    + "(run handoff signing setup, or git config gpg.format ssh)")
        }
        guard let configured = try repository.configValue("user.signingkey"), !configured.isEmpty else {
            throw Problem(description: "commit.gpgsign is on but user.signingkey is not set; run handoff signing setup")
        }
        let scratch = "\(repository.gitDirectory)/handoff-tmp"
        var key = configured
        if configured.hasPrefix("key::") {
            // A literal public key, as git accepts: the agent holds its private half.
            guard let literal = SSHPublicKey(line: String(configured.dropFirst(5))) else {
                throw Problem(description: "user.signingkey 'key::…' does not hold an SSH public key")
            }
            key = "\(scratch)/signing-key.pub"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try Data((literal.line + "\n").utf8).write(to: URL(fileURLWithPath: key))
        } else if configured.hasPrefix("~/") {
            key = NSHomeDirectory() + configured.dropFirst()
        }
        let environment = ProcessInfo.processInfo.environment.filter { $0.key == "SSH_AUTH_SOCK" }
        return { [key] payload in try SSHKeygen.sign(payload, key: key, scratch: scratch, environment: environment) }
    }

    /// handoffd's public keys as this clone trusts them: `git config handoff.trustedKeys`, key lines
    /// (`ssh-ed25519 AAAA… [comment]`) separated by commas, as `handoffd key show` prints them.
    public func trustedKeys() throws -> TrustedKeys? {
        guard let value = try repository.configValue("handoff.trustedKeys") else { return nil }
        let keys = value.split(separator: ",").compactMap { SSHPublicKey(line: String($0)) }
        guard !keys.isEmpty else {
            throw Problem(description: "handoff.trustedKeys holds no SSH public key line; set it to what `handoffd key show` prints")
        }
        return TrustedKeys(keys)
    }

    /// How far the status read here is behind the branch: the commits after the newest status commit.
    public struct Staleness: Sendable, Equatable {
        /// Commits on the branch that no status covers yet (0: the status is current).
        public var commits: Int
        /// Whether status commits were told by handoffd's signature (`handoff.trustedKeys`), not by their
        /// trailer alone, which anyone can write.
        public var verified: Bool
    }

    /// Whether `commit` is a status commit as far as this clone can tell: it carries the processed trailer
    /// and, with `keys`, a signature by one of them (without keys the trailer alone is taken at its word).
    static func isStatusCommit(_ commit: Commit, in repository: Repository, keys: TrustedKeys?) -> Bool {
        guard ProcessedTrailer.claimed(by: commit) != nil else { return false }
        return keys.map { $0.verdict(ofCommit: commit.id, in: repository) == .genuine } ?? true
    }

    /// How many commits on the branch came after handoffd's last status commit. With trusted keys, only
    /// a status commit they signed counts: one that merely carries the trailer is input like any other.
    public func staleness() throws -> Staleness {
        let keys = try trustedKeys()
        func genuine(_ commit: Commit) -> Bool { Self.isStatusCommit(commit, in: repository, keys: keys) }
        if let statusCommit {
            // The status branch's tip names the input it covered; what the branch has beyond it is unprocessed.
            let tip = try repository.commit(statusCommit)
            let covered = genuine(tip) ? ProcessedTrailer.claimed(by: tip).flatMap { repository.contains($0) ? $0 : nil } : nil
            return Staleness(commits: try repository.commits(from: [head], hiding: covered.map { [$0] } ?? []).count, verified: keys != nil)
        }
        // The commits the newest status commit does not reach: found without ordering the whole history.
        let newest = try repository.newestCommit(from: head) { genuine(try repository.commit($0)) }
        return Staleness(commits: try repository.commits(from: [head], hiding: newest.map { [$0] } ?? []).count, verified: keys != nil)
    }

    /// What handoffd will do with `action` on `packet` by `email`, judged on the status at the tip.
    public func simulate(_ action: WorkflowAction, packet: PacketID, note: String, email: String) throws -> HistoryEntry {
        guard let own = status(of: packet) else {
            let known = statusFiles.keys.sorted().prefix(20).map(\.rawValue).joined(separator: ", ")
            let more = statusFiles.count > 20 ? " and \(statusFiles.count - 20) more" : ""
            throw Problem(
                description: "no status for \(packet) on \(branch) (known: \(known.isEmpty ? "none" : known)\(more)); "
                    + "check the id, or pull and wait for handoffd to process the packet")
        }
        // Only what judging one action reads: the packet and the packets it depends on. A clone of thousands of
        // packets need not parse them all, and with --push this runs between the fetch and the push.
        var state = WorkflowState(policy: policy)
        state.packets[packet] = own
        for dependency in own.dependsOn.compactMap(PacketID.init) where state.packets[dependency] == nil {
            state.packets[dependency] = status(of: dependency)
        }
        let trailer = "\(action.rawValue) \(packet)\(note.isEmpty ? "" : " \(note)")"
        var input = CommitInput(id: String(repeating: "0", count: 40), identity: email, time: "", actionTrailers: [trailer])
        if ActionPrecheck.readsPacket(action), case .success(let request) = ActionRequest.parse(trailer) {
            let report = try PacketChecker(configuration: policy.checkConfiguration).check(packet, in: view)
            try ActionPrecheck.gather(
                request, report: report, view: view, policy: policy,
                commits: HistoryCommitLookup(repository: repository, tip: head), into: &input)
        }
        // Operators are named only in handoffd's configuration: locally nobody is one.
        WorkflowFold(operators: []).apply(input, to: &state)
        return state.packets[packet]!.history.last!
    }

    /// Records `action` as a commit on the tip whose tree is the tip's: index and work tree stay as they are.
    /// With `movingBranch` false the branch is left where it is (the commit is pushed first, then fast-forwarded to).
    public func commitAction(
        _ action: WorkflowAction, packet: PacketID, note: String, message: String?, movingBranch: Bool = true
    ) throws -> ObjectID {
        let (name, email) = try identity()
        let now = GitTime(seconds: Int64(Date().timeIntervalSince1970), offsetMinutes: Int32(TimeZone.current.secondsFromGMT() / 60))
        let me = Signature(name: name, email: email, time: now)
        let summary =
            message.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(action.rawValue) \(packet)"
        let text = "\(summary)\n\nHandoff: \(action.rawValue) \(packet)\(note.isEmpty ? "" : " \(note)")\n"
        let tree = try repository.tree(ofCommit: head)
        let commit = try repository.createCommit(
            tree: tree, parents: [head], author: me, committer: me, message: text, signer: try commitSigner(), allowEmpty: true)
        guard movingBranch else { return commit }
        do {
            try repository.updateReference(branch, to: commit, expecting: head, logMessage: "handoff: \(action.rawValue) \(packet)")
        } catch {
            throw Problem(description: "\(branch) changed while recording the action (\(error)); run the command again")
        }
        return commit
    }

    /// The action commit `commit` recorded again on `tip` (the remote's new tip, or the branch rebased onto it),
    /// the remote having moved under its push: the same author, message and (re-made) signature, on the tip's
    /// tree. Not judged again here: the pre-receive hook judges it at the door on the remote's own status, and
    /// `--wait` reports what handoffd made of it.
    public func record(_ commit: ObjectID, againOn tip: ObjectID) throws -> ObjectID {
        let original = try repository.commit(commit)
        return try repository.createCommit(
            tree: try repository.tree(ofCommit: tip), parents: [tip], author: original.author, committer: original.committer,
            message: original.message, signer: try commitSigner(), allowEmpty: true)
    }
}

extension LocalClone {
    /// What handoffd made of an action once a published status covers the commit that carried it.
    public enum PublishedOutcome: Sendable, Equatable {
        /// No status covers the commit yet.
        case pending
        /// Covered, and the action's history entry says what happened (applied or rejected).
        case recorded(HistoryEntry, statusCommit: ObjectID)
        /// Covered, but the packet's history holds no entry for it (the packet is unknown there: see the board).
        case notRecorded(statusCommit: ObjectID)
    }

    /// What handoffd made of `action` on `packet` carried by `commit`, read from the newest status commit on
    /// `branch` (or `statusBranch`, when handoffd publishes there) whose processed trailer covers it. With
    /// `keys`, only status commits they signed count.
    public static func publishedOutcome(
        of commit: ObjectID, action: WorkflowAction, packet: PacketID, in repository: Repository, branch: String,
        statusBranch: String?, keys: TrustedKeys?
    ) throws -> PublishedOutcome {
        func covers(_ candidate: ObjectID) throws -> Bool {
            let status = try repository.commit(candidate)
            guard let claimed = ProcessedTrailer.claimed(by: status), repository.contains(claimed) else { return false }
            guard try claimed == commit || repository.isAncestor(commit, of: claimed) else { return false }
            return isStatusCommit(status, in: repository, keys: keys)
        }
        var found: ObjectID?
        if let statusBranch {
            if let tip = try repository.referenceTarget(statusBranch), try covers(tip) { found = tip }
        } else if let tip = try repository.referenceTarget(branch) {
            found = try repository.commits(from: [tip], hiding: [commit], newestFirst: true).first { try covers($0) }
        }
        guard let found else { return .pending }
        let view = try GitTreeView(repository: repository, commit: found)
        let root = try Policy.load(from: view).0.packetRoot
        guard case .bytes(let bytes) = try view.read(StatusFile.path(of: packet, in: root), limit: 16 << 20),
            let status = try? StatusFile.parse(String(decoding: bytes, as: UTF8.self)),
            let entry = status.history.last(where: { $0.commit == commit.hex && $0.kind == .workflow(action) })
        else { return .notRecorded(statusCommit: found) }
        return .recorded(entry, statusCommit: found)
    }
}
