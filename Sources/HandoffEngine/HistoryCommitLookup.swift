import Git
import HandoffCore

/// Commit ids given as delivery evidence, judged against the history of the commit that submits.
///
/// History, not the object database: an object fetched later, or sitting on another branch, must not
/// change whether a submit that was processed yesterday passes when it is replayed today.
struct HistoryCommitLookup: CommitLookup {
    let repository: Repository
    /// The submitting commit (or, for a local check, the tip the action will be committed on).
    let tip: ObjectID

    func lookUp(commitPrefix: String) throws -> CommitEvidenceStatus {
        let found: ObjectID?
        do {
            found = try repository.objectID(withPrefix: commitPrefix)
        } catch  where error.code == .ambiguous {
            return .ambiguous
        }
        guard let found, try repository.objectHeader(found).type == .commit else { return .notInHistory }
        return try repository.isAncestor(found, of: tip) ? .inHistory : .notInHistory
    }
}
