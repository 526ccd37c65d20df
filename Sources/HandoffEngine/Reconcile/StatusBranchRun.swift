import Git
import HandoffCore

extension RepositoryProcessor {
    /// One run when status commits go to their own branch (`status_branch`), for hosts that protect the
    /// watched one. Each status commit has the input tip as first parent and the previous status commit as
    /// second, so the status branch only fast-forwards and its tip says which input it covers.
    ///
    /// The input tip's tree holds none of the status files, so every run writes all of them: cheap next to
    /// the fold, but proportional to the number of packets rather than to the change.
    func runOnStatusBranch(_ repository: Repository) throws -> ProcessingResult {
        let output = settings.statusReference
        return try publishing.run(output) { _ in
            guard let tip = try repository.referenceTarget(settings.reference) else { return .done(.unchanged(at: nil)) }
            let previous = try repository.referenceTarget(output)
            var start = FoldStart(state: WorkflowState())
            if let previous, let commit = try? repository.commit(previous), let processed = try own.covered(by: commit, in: repository) {
                if processed == tip {
                    coverage.remember(tip)
                    return .done(.unchanged(at: tip))
                }
                if repository.contains(processed), try repository.isAncestor(processed, of: tip),
                    let (loaded, loader) = try? ResumeStep.loadState(repository, tree: commit.tree)
                {
                    start = FoldStart(state: loaded, covered: processed, loader: loader)
                    try loader.loadAll(into: &start.state)
                } else {
                    start.state.record(try resumeStep.rewrittenEvent(repository, tip: tip, lost: processed))
                }
            }
            let folded = try foldStep.fold(repository, from: start.covered, to: tip, state: &start.state, loader: nil)
            let edits = try RenderStep.edits(repository, state: start.state, tip: tip)
            let summary = Self.summary(of: folded.changed, in: start.state)
            let commit = try writer.write(repository, edits: edits, covering: tip, summary: summary, previousStatus: previous)
            switch try PublishLoop.compareAndSwap(repository, output, to: commit, expecting: previous) {
            case .swapped:
                coverage.remember(tip)
                return .done(ProcessingResult(processedTip: tip, statusCommit: commit, foldedCommits: folded.count, changes: summary))
            case .moved:
                return .moved  // another writer published meanwhile: start again from what it wrote
            case .locked:
                return .locked
            }
        }
    }
}
