public import Git
import Synchronization

/// The trailer that ends every status commit, naming the last input commit it covers (DESIGN.md §5).
public enum ProcessedTrailer {
    /// The trailer key: its one home.
    public static let key = "Handoff-Processed"

    /// The covered commit a commit's message claims, whoever wrote it (nil when absent or not an id).
    public static func claimed(by commit: Commit) -> ObjectID? {
        commit.trailers.last { $0.key == key }.flatMap { ObjectID(hex: $0.value) }
    }

    /// The trailer line for a status commit covering `tip`.
    static func line(covering tip: ObjectID) -> String { "\(key): \(tip.hex)\n" }
}

/// Tells handoffd's own status commits from everything else: a commit is its own only when it carries
/// the processed trailer and a signature its key verifies. Verdicts are remembered by commit id.
struct OwnCommits: Sendable {
    let keys: TrustedKeys
    let verdicts: VerifiedCommits

    /// The commit `commit` covers when it is genuinely handoffd's; nil when it is not (no trailer, unsigned,
    /// forged). Throws when the signature could not be read, so an I/O failure never reads as forgery.
    func covered(by commit: Commit, in repository: Repository) throws(ProcessingError) -> ObjectID? {
        guard let claimed = ProcessedTrailer.claimed(by: commit) else { return nil }
        let verdict = verdicts.verdict(for: commit.id) { keys.verdict(ofCommit: commit.id, in: repository) }
        switch verdict {
        case .genuine: return claimed
        case .forged: return nil
        case .unverifiable(let reason): throw .retryable(.signatureUnverifiable(commit: commit.id, reason))
        }
    }

    /// Whether `commit` is one of handoffd's own (its output, never its input).
    func isOwn(_ commit: Commit, in repository: Repository) throws(ProcessingError) -> Bool {
        try covered(by: commit, in: repository) != nil
    }

    /// Whether the commit `id` is one of handoffd's own; a commit that cannot be read is not.
    func isOwn(_ id: ObjectID, in repository: Repository) throws(ProcessingError) -> Bool {
        guard let commit = try? repository.commit(id) else { return false }
        return try isOwn(commit, in: repository)
    }
}

/// Signature verdicts by commit id: resuming and folding meet the same status commit, and a commit's
/// signature never changes. Only definite verdicts are kept; "could not check" is asked again.
final class VerifiedCommits: Sendable {
    private let results = Mutex<[ObjectID: SignatureVerdict]>([:])
    /// Most verdicts kept before the table starts afresh.
    static let capacity = 10_000

    func verdict(for commit: ObjectID, verify: () -> SignatureVerdict) -> SignatureVerdict {
        if let known = results.withLock({ $0[commit] }) { return known }
        let verdict = verify()
        if case .unverifiable = verdict { return verdict }
        results.withLock { results in
            if results.count >= Self.capacity { results.removeAll() }
            results[commit] = verdict
        }
        return verdict
    }
}
