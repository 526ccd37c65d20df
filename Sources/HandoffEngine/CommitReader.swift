import Foundation
import Git
import GitPaths
import HandoffCore

/// Turns one commit of the repository into the fold's input: who, when, actions, and what it did to
/// each packet (checked at that commit, through the memoising checker).
struct CommitReader {
    let repository: Repository
    let cache: CheckCache?
    /// The configured operators (the fold's, so both agree on which policy is in force).
    let operators: [String]
    /// Where identities come from.
    let identifier: CommitIdentifier

    /// UTC ISO 8601 with `Z`, from a commit's own time: status never depends on the clock.
    static func utc(_ time: GitTime) -> String {
        let text = GitTime(seconds: time.seconds, offsetMinutes: 0).iso8601
        return text.hasSuffix("+00:00") ? String(text.dropLast(6)) + "Z" : text
    }

    /// What `commit` itself changed: against its parent, or for a merge the paths whose version differs
    /// from every parent's (`git diff-tree -c` lists the same), in the first parent's terms.
    static func ownChanges(of commit: Commit, in repository: Repository) throws -> [TreeChange] {
        var folders: [BytePath: ObjectID]? = nil
        return try ownChanges(of: commit, in: repository, folders: &folders)
    }

    /// ``ownChanges(of:in:)``, with the ids of the folders of the commit's tree its first diff entered (see
    /// ``Repository/diff(from:to:folders:)``) when `folders` is not nil.
    static func ownChanges(of commit: Commit, in repository: Repository, folders: inout [BytePath: ObjectID]?) throws -> [TreeChange] {
        guard let first = commit.parents.first else { return try repository.diff(from: nil, to: commit.tree, folders: &folders) }
        var own = try repository.diff(from: try parentTree(first, in: repository), to: commit.tree, folders: &folders)
        // Each parent once, and no more than a merge may have: a diff per parent is the cost (see maxParents).
        for parent in distinctParents(of: commit).dropFirst().prefix(maxParents - 1) where !own.isEmpty {
            // By bytes: as Strings, `Kunden.yaml` and its Kelvin-sign twin are one path, two files to git.
            let changed = Set(try repository.diff(from: try parentTree(parent, in: repository), to: commit.tree).map { BytePath($0.path) })
            own.removeAll { !changed.contains(BytePath($0.path)) }
        }
        return own
    }

    /// The tree of `parent`, or nil (the empty tree) when not even its header names one: a history walk can
    /// take a commit whose first line is no tree, and its children must still be judged (everything they
    /// hold is then their own change), never stall the repository. Other errors are thrown, to retry.
    static func parentTree(_ parent: ObjectID, in repository: Repository) throws -> ObjectID? {
        do {
            return try repository.tree(ofCommit: parent)
        } catch  where error.isUnreadableObject {
            return nil
        }
    }

    /// Most parents a commit may merge and be judged by who made it. Git's octopus merges rarely pass a
    /// dozen; a forged commit of thousands (one diff each) would cost minutes per run. Past this, the
    /// commit is one nobody can be held to.
    static let maxParents = 16

    /// `commit`'s parents, each once, in order (git never repeats one; a forged commit can).
    static func distinctParents(of commit: Commit) -> [ObjectID] {
        var seen = Set<ObjectID>()
        return commit.parents.filter { seen.insert($0).inserted }
    }

    /// Whether `commit` merges more distinct parents than ``maxParents``.
    static func mergesTooMany(_ commit: Commit) -> Bool {
        commit.parents.count > maxParents && distinctParents(of: commit).count > maxParents
    }

    /// The fold's input for `commit`; `changes`, when given, are its own changes (``ownChanges(of:in:)``)
    /// as already read. An `unreadable` commit (read as ``Git/Repository/commitFrame(_:)``, or merging too
    /// many parents) is judged by what it changed, as a commit nobody can be held to.
    func input(for commit: Commit, state: WorkflowState, changes known: [TreeChange]? = nil, unreadable: Bool = false) throws -> CommitInput {
        let actions = commit.trailers.filter { $0.key.caseInsensitiveCompare(ActionRequest.trailerKey) == .orderedSame }.map(\.value)
        // git reads trailers only in the last paragraph: a subject written like one asks for nothing.
        let subject = commit.summary.split(separator: ":", maxSplits: 1)
        // A merge's own changes (evil edits, conflict resolutions) are judged like any commit's; what one
        // side brought was judged in that side's commits, which are walked on their own.
        let changes = try known ?? Self.ownChanges(of: commit, in: repository)
        // A folder nested too deep to walk is reported whole: a commit that adds to one is nobody's too. Removing
        // one is not (it must stay possible to get rid of it).
        let tooDeep = changes.contains { $0.newMode == .tree }
        let who =
            unreadable || tooDeep
            ? CommitIdentity(identity: commit.author.email, problem: .unreadableCommit) : try identifier.identify(commit, in: repository)
        var input = CommitInput(
            id: commit.id.hex, identity: who.identity, time: Self.utc(commit.committer.time),
            actionTrailers: actions, unverified: who.problem)
        if subject.count == 2, subject[0].trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(ActionRequest.trailerKey) == .orderedSame,
            !actions.contains(subject[1].trimmingCharacters(in: .whitespaces))
        {
            input.subjectTrailer = String(subject[1].trimmingCharacters(in: .whitespaces).prefix(200))
        }
        let tree = GitTreeView(repository: repository, tree: commit.tree)
        var policy = state.policy
        var kinds: [PacketID: PacketChange] = [:]
        if changes.contains(where: { GitPath.same($0.path, Policy.path) }) {
            input.policyChange = try Policy.load(from: tree)
        }
        // A whole folder is never held (held versions are files): what is inside it stays out of every check's reach.
        input.fileChanges = changes.filter {
            ContentInForce.area(of: $0.path, packetRoot: policy.packetRoot) != nil && $0.oldMode != .tree && $0.newMode != .tree
        }.map {
            FileChange(path: $0.path, before: $0.oldID?.hex, after: $0.newID?.hex)
        }
        for path in state.held.keys {
            input.heldInTree[path] = .some(try repository.entry(at: path.text, inTree: commit.tree)?.id.hex)
        }
        // Checks read the content in force: the tree, with every held file at its version in force.
        let verdicts = ContentInForce.judge(input, state: state, operators: operators)
        let view = InForceView(base: tree, held: verdicts.held) { id, limit in
            guard let object = ObjectID(hex: id) else { return .missing }
            switch try repository.blob(object, sizeLimit: limit) {
            case .data(let data): return .bytes(Array(data))
            case .tooLarge(let size): return .tooLarge(size: size)
            }
        }
        input.touchedBoard = changes.contains { BoardFile.isBoardPath($0.path) }
        input.touchedSigners = changes.contains { GitPath.same($0.path, SignersFile.path) }
        // Split as bytes (GitPath), as ContentInForce splits them: a `/` before a combining mark separates.
        let root = GitPath.normalized(policy.packetRoot)
        for change in changes {
            guard let inside = GitPath.components(of: change.path, inside: root), inside.count >= 2 else { continue }
            guard let id = PacketID(inside[0]) else {
                let folder = root + "/" + inside[0].prefix(200)
                if !input.strayFolders.contains(folder), input.strayFolders.count < 20 { input.strayFolders.append(folder) }
                continue
            }
            var kind = kinds[id] ?? PacketChange()
            switch ContentInForce.area(of: change.path, packetRoot: root) {
            case .delivery?: kind.delivery = true
            case .spec?: kind.spec = true
            case .policy?, nil: kind.status = true  // inside a packet folder, only its status file has no area
            }
            kinds[id] = kind
        }
        // The fold honours an operator's valid policy change; this commit's packets are checked under it.
        if case .honoured(let newPolicy) = verdicts.policy { policy = newPolicy }
        // One budget for all of this commit's checks, spent in packet order so every reader spends it alike.
        let checker = PacketChecker(configuration: policy.checkConfiguration, cache: cache, budget: CheckBudget())
        for (id, var kind) in kinds.sorted(by: { $0.key < $1.key }) {
            if try view.entries(inFolder: "\(policy.packetRoot)/\(id)") == nil {
                kind.removed = true
            } else if kind.spec {
                kind.report = try checker.check(id, in: view)
            }
            input.touched[id] = kind
        }
        // Actions that need the packet as of this commit (ActionPrecheck says which, and what they read).
        for value in actions {
            guard case .success(let request) = ActionRequest.parse(value), ActionPrecheck.readsPacket(request.action),
                state.packets[request.packet] != nil || input.touched[request.packet] != nil,
                try view.entries(inFolder: "\(policy.packetRoot)/\(request.packet)") != nil
            else { continue }
            let report = try input.touched[request.packet]?.report ?? checker.check(request.packet, in: view)
            try ActionPrecheck.gather(
                request, report: report, view: view, policy: policy,
                commits: HistoryCommitLookup(repository: repository, tip: commit.id), into: &input)
        }
        return input
    }
}
