import Foundation
public import Git
import HandoffCore

/// What one run over a repository did.
public struct ProcessingResult: Sendable {
    /// The branch tip the status covers (nil when the branch has no commits).
    public var processedTip: ObjectID?
    /// handoffd's new status commit, or nil when no status byte changed.
    public var statusCommit: ObjectID?
    /// How many commits were folded in this run.
    public var foldedCommits: Int
    /// One line per packet whose status changed.
    public var changes: [String]

    /// The changes for one log line: the first `limit`, then how many more (a catch-up over thousands of
    /// packets would otherwise write a journal line of hundreds of kilobytes).
    public func changeSummary(limit: Int = 20) -> String {
        let shown = changes.prefix(limit).joined(separator: ", ")
        return changes.count > limit ? "\(shown) and \(changes.count - limit) more packets" : shown
    }

    /// A run that changed nothing at `tip`.
    static func unchanged(at tip: ObjectID?, folded: Int = 0) -> ProcessingResult {
        ProcessingResult(processedTip: tip, statusCommit: nil, foldedCommits: folded, changes: [])
    }
}

/// The engine: folds a branch's history into status and publishes it as one signed commit (DESIGN.md §5–§6).
///
/// A run is a reconcile pipeline, each step in its own file under `Reconcile/`: resume (from the newest
/// genuine status commit), fold (the new commits), render (status files and board), publish (one
/// compare-and-swap loop for both publishing modes), remember (the covered tip, to notice force-pushes).
public struct RepositoryProcessor: Sendable {
    /// Settings for this repository.
    public var settings: EngineSettings
    /// The publish loop (attempts and the pause between locked attempts).
    public var publishing = PublishLoop()
    /// Where the covered tip is remembered between runs.
    public var coverage: any CoverageStore
    /// Signature verdicts by commit id, kept as long as the processor.
    private let verdicts = VerifiedCommits()

    /// Creates a processor; the covered tip is kept in `settings.memoryFile` unless `coverage` says otherwise.
    public init(settings: EngineSettings, coverage: (any CoverageStore)? = nil) {
        self.settings = settings
        self.coverage = coverage ?? settings.memoryFile.map { FileCoverageStore(path: $0) } ?? NoCoverageStore()
    }

    var own: OwnCommits { OwnCommits(keys: settings.trustedKeys, verdicts: verdicts) }
    var resumeStep: ResumeStep { ResumeStep(own: own, coverage: coverage, reference: settings.reference, email: settings.email) }
    var foldStep: FoldStep {
        FoldStep(
            own: own, cache: settings.cache, operators: settings.operators, identityMode: settings.identityMode,
            checkThreads: settings.checkThreads, window: settings.checkWindow)
    }
    /// The writer of status commits, signed by handoffd's key; a key that cannot be used stalls the run.
    func writer() throws(ProcessingError) -> StatusCommitWriter {
        switch settings.signingKey {
        case .success(let key):
            StatusCommitWriter(
                name: settings.name, email: settings.email, signer: key.sign, allowEmpty: settings.statusReference != settings.reference)
        case .failure(let problem):
            throw .stalled(.signingKey(problem))
        }
    }

    /// Processes the repository at `path` once.
    @discardableResult
    public func run(repositoryAt path: String) throws -> ProcessingResult {
        let repository: Repository
        do {
            repository = try Repository.open(at: path)
        } catch {
            switch error {
            case .failed(_, let cause): throw ProcessingError.retryable(.git(cause))
            default: throw ProcessingError.stalled(.cannotOpen(error))
            }
        }
        return try run(repository)
    }

    /// Processes an open repository once: resume → fold → render → publish → remember.
    @discardableResult
    public func run(_ repository: Repository) throws -> ProcessingResult {
        // Without a usable key nothing can be published: stall before the work, not after it.
        _ = try writer()
        do {
            if settings.statusReference != settings.reference { return try runOnStatusBranch(repository) }
            do {
                return try runOnWatchedBranch(repository, rebuild: false)
            } catch is StatusLoader.Unreadable {
                return try runOnWatchedBranch(repository, rebuild: true)
            }
        } catch let error as GitError {
            throw ProcessingError.retryable(.git(error))
        }
    }

    /// One run when status commits go on the watched branch itself.
    private func runOnWatchedBranch(_ repository: Repository, rebuild: Bool) throws -> ProcessingResult {
        let reference = settings.reference
        guard var tip = try repository.referenceTarget(reference) else { return .unchanged(at: nil) }
        guard case .fold(var start) = try resumeStep.resume(repository, tip: tip, rebuild: rebuild) else { return .unchanged(at: tip) }
        let rebuilding = start.covered == nil
        let resumedRoot = start.state.policy.packetRoot
        var folded = FoldResult()
        return try publishing.run(reference) { _ in
            // Resuming may have read the history to fold already (a first catch-up): not walked again. Only the
            // first attempt: a retry folds what arrived on top of the tip it covers by then.
            if let history = start.history, start.covered == nil {
                folded.add(try foldStep.fold(repository, commits: history, state: &start.state, loader: start.loader, observe: nil))
            } else {
                folded.add(try foldStep.fold(repository, from: start.covered, to: tip, state: &start.state, loader: start.loader))
            }
            start.history = nil
            start.covered = tip
            // What the status names as processed is the newest input commit, never a status commit: the tip can
            // be one (another instance's, or ours after a force-push back to it), and replay names the input.
            let input = try newestInput(repository, from: tip)
            // Resumed from our own status, only what the fold touched can differ: the run's cost follows the
            // change, not the number of packets. A rebuild, or a moved packet root, rewrites everything.
            // Touched but unchanged folders are in scope too: a status file written into a folder that is no
            // packet is removed, as a full rewrite would.
            let scope = rebuilding || start.state.policy.packetRoot != resumedRoot ? nil : folded.changed.union(folded.touched)
            if scope == nil { try start.loader?.loadAll(into: &start.state) }
            let summary = Self.summary(of: folded.changed, in: start.state)
            // The status objects (thousands in a catch-up) go to disk together before the reference names them.
            let written = try repository.writingObjectsTogether { () throws -> ObjectID? in
                let (edits, base) = try RenderStep.edits(
                    repository, state: start.state, tip: tip, processed: input, only: scope,
                    previousBoard: scope == nil ? nil : start.loader?.previousBoard, restoring: true, signers: settings.allowedSigners)
                if edits.isEmpty, try base == repository.tree(ofCommit: tip) { return nil }
                return try writer().write(repository, edits: edits, covering: input, onto: tip, tree: base, summary: summary)
            }
            guard let commit = written else {
                // Already what the tip holds: another instance published the same status (it is deterministic).
                coverage.remember(input)
                return .done(.unchanged(at: input, folded: folded.count))
            }
            switch try PublishLoop.compareAndSwap(repository, reference, to: commit, expecting: tip) {
            case .swapped:
                // The input, not our commit: a remote that refuses our commit then fetches back to a descendant
                // of it, which is no rewrite. Only the loss of covered input is.
                coverage.remember(input)
                return .done(ProcessingResult(processedTip: input, statusCommit: commit, foldedCommits: folded.count, changes: summary))
            case .moved(let actual?):
                tip = actual  // someone pushed meanwhile: fold their commits onto what is computed
                return .moved
            case .moved(nil):
                throw ProcessingError.retryable(.publish(.missing(reference: reference)))
            case .locked:
                return .locked
            }
        }
    }

    /// The newest commit at or below `tip` that is not a status commit of handoffd's: what a status names
    /// as processed, in a run and in a replay alike.
    func newestInput(_ repository: Repository, from tip: ObjectID) throws -> ObjectID {
        try repository.newestCommit(from: tip) { try !own.isOwn($0, in: repository) } ?? tip
    }

    /// The status commit's lines for the packets that changed.
    static func summary(of changed: Set<PacketID>, in state: WorkflowState) -> [String] {
        changed.sorted().compactMap { id in state.packets[id].map(describe) }
    }

    /// `PAY-142: ready → in_progress (claim by dev@…)`, from the packet's newest history entry.
    static func describe(_ status: PacketStatus) -> String {
        guard let last = status.history.last else { return "\(status.id): \(status.state.rawValue)" }
        let from = last.from?.rawValue ?? "new"
        let to = last.to?.rawValue ?? status.state.rawValue
        let rejected = last.rejection == nil ? "" : ", rejected"
        return "\(status.id): \(from == to ? to : "\(from) → \(to)") (\(last.action) by \(last.by)\(rejected))"
    }

    /// All status files and the board recomputed from the first commit, without publishing: `handoff replay`.
    public func replay(_ repository: Repository) throws -> [String: String] {
        guard let tip = try repository.referenceTarget(settings.reference) else { return [:] }
        var state = WorkflowState()
        _ = try foldStep.fold(repository, from: nil, to: tip, state: &state, loader: nil)
        let processed = try newestInput(repository, from: tip)
        return RenderStep.files(
            state, processed: processed, time: try repository.commitOrFrame(processed).commit.committer.time, signers: settings.allowedSigners)
    }
}
