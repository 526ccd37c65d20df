import Git
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
        for id in commits {
            let commit: Commit
            do {
                commit = try repository.commit(id)
            } catch {
                state.record(BoardEvent(at: "", commit: id.hex, by: "", kind: .commitUnreadable(error.message)))
                continue
            }
            if try own.isOwn(commit, in: repository) { continue }  // our own output is never input
            try loader?.prepare(trailersOf: commit, state: &state)
            let input = try reader.input(for: commit, state: state)
            try loader?.prepare(input, state: &state)
            let before = observe == nil ? nil : state
            result.changed.formUnion(fold.apply(input, to: &state))
            result.touched.formUnion(input.touched.keys)
            result.count += 1
            if let observe, let before { try observe(id, input, before, state) }
        }
        return result
    }
}
