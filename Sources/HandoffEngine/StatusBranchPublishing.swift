import Foundation
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
        for attempt in 1...maxAttempts {
            guard let tip = try repository.referenceTarget(settings.reference) else {
                return ProcessingResult(processedTip: nil, statusCommit: nil, foldedCommits: 0, changes: [])
            }
            let previous = try repository.referenceTarget(output)
            var state = WorkflowState()
            var covered: ObjectID?
            if let previous, let commit = try? repository.commit(previous),
               let processed = genuineProcessedTrailer(commit, repository).flatMap({ ObjectID(hex: $0) }) {
                if processed == tip {
                    remember(tip)
                    return ProcessingResult(processedTip: tip, statusCommit: nil, foldedCommits: 0, changes: [])
                }
                if repository.contains(processed), try repository.isAncestor(processed, of: tip),
                   let (loaded, loader) = try? loadState(repository, tree: commit.tree) {
                    state = loaded
                    try loader.loadAll(into: &state)
                    covered = processed
                } else {
                    state.record(try rewrittenEvent(repository, tip: tip, lost: processed.hex))
                }
            }
            let fresh = try fold(repository, from: covered, to: tip, state: &state, loader: nil)
            let edits = try statusEdits(repository, state: state, tip: tip)
            let summary = fresh.changed.sorted().compactMap { id in state.packets[id].map { Self.describe($0) } }
            let commit = try statusCommit(repository, edits: edits, tip: tip, summary: summary, previousStatus: previous)
            do {
                try repository.updateReference(output, to: commit, expecting: previous, logMessage: "handoffd: status")
                remember(tip)
                return ProcessingResult(processedTip: tip, statusCommit: commit, foldedCommits: fresh.count, changes: summary)
            } catch .moved, .missing {
                continue  // another writer published meanwhile: start again from what it wrote
            } catch .locked {
                usleep(useconds_t(UInt32.random(in: 5_000...20_000) * UInt32(min(attempt, 10))))
            } catch {
                throw ProcessingError.retryable(.publish(error))
            }
        }
        throw ProcessingError.contention(reference: output, attempts: maxAttempts)
    }
}
