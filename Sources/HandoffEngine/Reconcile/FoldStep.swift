import Git
import GitPaths
import HandoffCore

/// What folding a range of commits did.
struct FoldResult: Equatable {
    /// Commits folded (handoffd's own are skipped and not counted).
    var count = 0
    /// Packets whose status changed.
    var changed = Set<PacketID>()
    /// Packets whose folders the commits touched, changed or not.
    var touched = Set<PacketID>()

    mutating func add(_ other: FoldResult) {
        count += other.count
        changed.formUnion(other.changed)
        touched.formUnion(other.touched)
    }
}

/// The fold step: turns each new commit into the fold's input (``CommitReader``) and applies the pure
/// ``WorkflowFold``, oldest first, skipping handoffd's own output.
struct FoldStep {
    let own: OwnCommits
    let cache: CheckCache?
    let operators: [String]
    let identityMode: IdentityMode
    /// Threads that check files ahead of the fold (``CheckAhead``); 1: none start.
    var checkThreads = 1
    /// Commits whose files are checked ahead at a time: bounds the bytes held, not the work.
    var window = EngineSettings.defaultCheckWindow
    /// Most changed paths a window keeps from its diffs for the fold (a few megabytes).
    static let maxHeldChanges = 20_000

    /// Folds the commits of `from..to` (all of `to`'s history when `from` is nil) into `state`.
    func fold(
        _ repository: Repository, from: ObjectID?, to tip: ObjectID, state: inout WorkflowState,
        loader: StatusLoader?
    ) throws -> FoldResult {
        try fold(
            repository, commits: repository.commits(from: [tip], hiding: from.map { [$0] } ?? []), state: &state,
            loader: loader, observe: nil)
    }

    /// Folds `commits` in order; `observe`, when given, sees each commit's input and the state before it
    /// (the state after it is `state`). Without it no state is copied: a copy per commit would make a
    /// catch-up quadratic in the number of packets.
    func fold(
        _ repository: Repository, commits: [ObjectID], state: inout WorkflowState, loader: StatusLoader?,
        observe: ((ObjectID, CommitInput, _ before: WorkflowState, _ after: WorkflowState) throws -> Void)?
    ) throws -> FoldResult {
        let reader = CommitReader(repository: repository, cache: cache, operators: operators, identifier: try CommitIdentifier(identityMode))
        let fold = WorkflowFold(operators: operators)
        var result = FoldResult()
        // Each commit's own changes, as the window's check ahead found them: one diff per commit, not two.
        var diffed: [ObjectID: CommitChanges] = [:]
        // Past one window, the next is prepared on its own thread while this one folds.
        let window = max(1, window)
        let ahead =
            if commits.count > window, checkThreads > 1, let cache {
                WindowPipeline(
                    opening: repository.opening, commits: commits, window: window, policy: state.policy, cache: cache,
                    threads: checkThreads)
            } else {
                nil as WindowPipeline?
            }
        defer { ahead?.stop() }
        for (offset, id) in commits.enumerated() {
            if offset % window == 0, commits.count > 1, checkThreads > 1, let cache {
                // Prepared ahead, or here when that could not be; a window that fails to prepare is left to
                // the fold, which reads and reports every commit itself, as one thread would.
                diffed =
                    ahead?.take(offset / window)
                    ?? (try? Self.prepare(
                        repository, commits[offset..<min(offset + window, commits.count)], policy: state.policy, cache: cache,
                        threads: checkThreads)) ?? [:]
            }
            let known = diffed.removeValue(forKey: id)
            let commit: Commit
            var unreadable = false
            // Recorded once the state before the commit is taken, so that the hook sees them as the commit's.
            var refusal: BoardEvent?
            if let known {
                commit = known.commit
            } else {
                // Judged by what it changed, as a commit nobody can be held to: skipped, its changes would come
                // in unjudged with the next commit, whose diff starts from its tree. Any other error (out of
                // memory, a racing gc) fails the run, to be retried: it says nothing of the commit.
                switch Result(catching: { () throws(GitError) in try repository.commitOrFrame(id) }) {
                case .success(let read):
                    commit = read.commit
                    if let error = read.unreadable {
                        refusal = BoardEvent(at: "", commit: id.hex, by: "", kind: .commitUnreadable(error.message))
                        unreadable = true
                    }
                case .failure(let error):
                    guard error.isUnreadableObject else { throw error }
                    // Not even a tree to judge it by: recorded, and its children diff from the empty tree.
                    state.record(BoardEvent(at: "", commit: id.hex, by: "", kind: .commitUnreadable(error.message)))
                    continue
                }
            }
            if !unreadable, CommitReader.mergesTooMany(commit) {
                let count = CommitReader.distinctParents(of: commit).count
                refusal = BoardEvent(
                    at: "", commit: id.hex, by: "",
                    kind: .commitUnreadable("it merges \(count) parents, over the limit of \(CommitReader.maxParents)"))
                unreadable = true
            }
            if !unreadable, try own.isOwn(commit, in: repository) { continue }  // our own output is never input
            try loader?.prepare(trailersOf: commit, state: &state)
            // Found on the preparing thread's handle: this one then reads the commit's packet folders without
            // parsing the packet root above them again.
            if let known { repository.knowFolders(known.folders, inTree: commit.tree) }
            let input = try reader.input(for: commit, state: state, changes: known?.changes, unreadable: unreadable)
            if refusal == nil, input.unverified == .unreadableCommit {
                refusal = BoardEvent(
                    at: "", commit: id.hex, by: "", kind: .commitUnreadable("its folders nest deeper than \(Repository.maxTreeDepth) levels"))
            }
            if known != nil { repository.knowFolders([:], inTree: commit.tree) }  // no later reader of the handle relies on them
            try loader?.prepare(input, state: &state)
            let before = observe == nil ? nil : state
            if let refusal { state.record(refusal) }
            result.changed.formUnion(fold.apply(input, to: &state))
            result.touched.formUnion(input.touched.keys)
            result.count += 1
            if let observe, let before { try observe(id, input, before, state) }
        }
        return result
    }

    /// Reads the contract and acceptance files `commits` add or change (under `policy`'s packet root and
    /// limits, skipping what the cache holds) and checks them on `threads` threads. A policy change
    /// within the window only costs misses: keys carry the limits, and the fold checks what it lacks.
    ///
    /// Within a commit's budget (``CheckBudgetLimits/maxBytes``): the fold checks no more of one commit, so
    /// neither does this; and files are checked a budget's worth at a time, so that no more is held at once.
    /// Returns each commit's own changes, for the fold to read instead of diffing the commit again.
    /// `stop`, asked before each commit, ends the preparation early (what is prepared is returned).
    static func prepare(
        _ repository: Repository, _ commits: ArraySlice<ObjectID>, policy: Policy, cache: CheckCache, threads: Int,
        stop: () -> Bool = { false }
    ) throws -> [ObjectID: CommitChanges] {
        let configuration = policy.checkConfiguration
        let limits = configuration.limits
        let budget = CheckBudgetLimits.default.maxBytes
        var seen = Set<String>()
        var files: [CheckAhead.File] = []
        var held = 0
        var diffed: [ObjectID: CommitChanges] = [:]
        var heldChanges = 0
        for id in commits {
            if stop() { break }
            guard let commit = try? repository.commit(id) else { continue }
            var spent = 0
            var folders: [BytePath: ObjectID]? = [:]
            let changes = try CommitReader.ownChanges(of: commit, in: repository, folders: &folders)
            // Kept for the fold up to a bound: a window of commits that each add and remove a huge folder
            // would otherwise hold every change at once (the fold diffs what is not kept).
            let kept = changes.count + (folders?.count ?? 0)
            if heldChanges + kept <= Self.maxHeldChanges {
                diffed[id] = CommitChanges(commit: commit, changes: changes, folders: folders ?? [:])
                heldChanges += kept
            }
            for change in changes {
                guard spent < budget else { break }
                guard let blob = change.newID, change.newMode == .blob || change.newMode == .executable,
                    CheckAhead.isWorthChecking(change.path, packetRoot: policy.packetRoot),
                    seen.insert("\(blob.hex):\(change.path)").inserted,
                    CheckAhead.isMissing(contentID: blob.hex, path: change.path, configuration: configuration, in: cache),
                    case .data(let data) = try repository.blob(blob, sizeLimit: limits.maxFileBytes)
                else { continue }
                files.append(CheckAhead.File(contentID: blob.hex, path: change.path, bytes: Array(data)))
                spent += data.count
                held += data.count
                if held >= budget {
                    CheckAhead.check(files, configuration: configuration, cache: cache, threads: threads)
                    files.removeAll()
                    held = 0
                }
            }
        }
        CheckAhead.check(files, configuration: configuration, cache: cache, threads: threads)
        return diffed
    }
}

/// A commit's own changes as check ahead found them, with the ids of the folders of its tree that the diff
/// entered (for ``Git/Repository/knowFolders(_:inTree:)``).
struct CommitChanges: Sendable {
    /// The commit as read there (verified against its id): the fold need not read and parse it again.
    var commit: Commit
    var changes: [TreeChange]
    var folders: [BytePath: ObjectID]
}
