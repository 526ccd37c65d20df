import Foundation
import HandoffEngine

/// Something about how a repository learns who committed that an operator should hear at start, though it
/// stops nothing: identities anyone can type, or `allowed_signers` lines that name nobody.
public enum IdentityWarning: Sendable, Hashable, CustomStringConvertible {
    /// `participant_identity: author`: roles follow the author line, which any committer can set.
    case authorLines(repository: String)
    /// A line of the `allowed_signers` file gives no identity (so that key's commits hold no role).
    case skippedSigner(repository: String, file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .authorLines(let repository):
            "repository \(repository) takes identities from author lines, which anyone can type: set participant_identity: "
                + "signature with an allowed_signers file to hold each commit to its SSH signature"
        case .skippedSigner(let repository, let file, let line, let reason):
            "repository \(repository): \(file):\(line) names no signer (\(reason)); commits signed by that key hold no role"
        }
    }
}

extension DaemonConfiguration {
    /// What to warn about at start for `entries` (all repositories by default). Reads each `allowed_signers`
    /// file; one that cannot be read is not warned about here: it stalls its repository with its own message.
    public func identityWarnings(for entries: [RepositoryEntry]? = nil) -> [IdentityWarning] {
        (entries ?? repositories).flatMap { entry -> [IdentityWarning] in
            switch entry.participantIdentity {
            case .authorEmail:
                return [.authorLines(repository: entry.name)]
            case .signature(let file):
                guard let signers = AllowedSigners(contentsOf: file) else { return [] }
                return signers.skipped.map { .skippedSigner(repository: entry.name, file: file, line: $0.line, reason: $0.reason) }
            }
        }
    }
}
