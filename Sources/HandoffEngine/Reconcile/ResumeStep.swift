import Git
import HandoffCore

/// Where a run starts: the fold state at handoffd's newest trusted status commit, or the empty state.
struct FoldStart {
    /// The state to fold new commits onto (its packets are loaded lazily through `loader`).
    var state: WorkflowState
    /// The input commit the state covers (nil: fold from the first commit).
    var covered: ObjectID?
    /// Reads the resumed commit's packet statuses when the fold first needs them.
    var loader: StatusLoader?
    /// Every commit to fold up to the tip resumed at, oldest first, when resuming found them already (a
    /// first catch-up of a linear history); nil: the fold walks the history itself.
    var history: [ObjectID]?
}

/// What the resume step found.
enum Resumption {
    /// The tip is handoffd's own genuine status commit: everything below it is covered.
    case upToDate(covered: ObjectID)
    /// New commits to fold, from this start.
    case fold(FoldStart)
}

/// The resume step (DESIGN.md §5: the signed status commit is the daemon's only memory): finds handoffd's
/// newest genuine commit below the tip and reads the fold state back from its board and status files,
/// unless covered history was rewritten, which rebuilds from the first commit and says so on the board.
struct ResumeStep {
    let own: OwnCommits
    let coverage: any CoverageStore
    /// The watched reference, named in the rewrite event.
    let reference: String
    /// handoffd's email, the author of the rewrite event.
    let email: String

    func resume(_ repository: Repository, tip: ObjectID, rebuild: Bool) throws -> Resumption {
        let rewritten = try rewrittenCoverage(repository, tip: tip)
        if rewritten == nil, let commit = try? repository.commit(tip), let covered = try own.covered(by: commit, in: repository) {
            coverage.remember(covered)
            return .upToDate(covered: covered)
        }
        var start = rewritten != nil || rebuild ? FoldStart(state: WorkflowState()) : try newestTrusted(repository, below: tip)
        if let lost = rewritten {
            start.state.record(try rewrittenEvent(repository, tip: tip, lost: lost))
        }
        return .fold(start)
    }

    /// The last covered tip when it has left the branch's history (a force-push), else nil.
    func rewrittenCoverage(_ repository: Repository, tip: ObjectID) throws -> ObjectID? {
        guard let last = coverage.lastCovered() else { return nil }
        guard repository.contains(last) else { return last }
        return try repository.isAncestor(last, of: tip) ? nil : last
    }

    /// The board event for covered history that left the branch: the status is rebuilt.
    func rewrittenEvent(_ repository: Repository, tip: ObjectID, lost: ObjectID) throws -> BoardEvent {
        BoardEvent(
            at: CommitReader.utc(try repository.commitOrFrame(tip).commit.committer.time), commit: tip.hex, by: email,
            kind: .historyRewritten(lost: lost.hex, reference: reference))
    }

    /// The state at the newest trusted handoffd commit at or below `tip` (or the empty state).
    func newestTrusted(_ repository: Repository, below tip: ObjectID) throws -> FoldStart {
        func covered(_ id: ObjectID) throws -> (Commit, ObjectID)? {
            // Most commits are not handoffd's: those without the trailer's key are passed over unread.
            guard (try? repository.commitMessage(id, contains: ProcessedTrailer.key)) ?? true,
                let commit = try? repository.commit(id), let covered = try own.covered(by: commit, in: repository),
                repository.contains(covered)
            else { return nil }
            return (commit, covered)
        }
        let found = try repository.newestCommitOrHistory(from: tip, where: { try covered($0) != nil })
        guard let newest = found.match, let (commit, covered) = try covered(newest) else {
            return FoldStart(state: WorkflowState(), history: found.history)
        }
        if let (state, loader) = try? Self.loadState(repository, tree: commit.tree) {
            return FoldStart(state: state, covered: covered, loader: loader)
        }
        return FoldStart(state: WorkflowState())  // our own commit but unreadable: rebuild from the start rather than trust it
    }

    /// The policy and events of a status commit's tree, and a loader for its packet statuses.
    static func loadState(_ repository: Repository, tree: ObjectID) throws -> (WorkflowState, StatusLoader) {
        guard case .data(let boardData)? = try repository.file(at: BoardFile.path, inTree: tree, sizeLimit: 64 << 20)?.content else {
            throw StatusLoader.Unreadable(path: BoardFile.path)
        }
        let board = String(decoding: boardData, as: UTF8.self)
        let (policy, events, held) = try BoardFile.parseState(board)
        var state = WorkflowState(policy: policy)
        state.events = events
        state.held = held
        return (state, StatusLoader(repository: repository, tree: tree, root: policy.packetRoot, board: board))
    }
}
