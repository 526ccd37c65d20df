import Foundation
import Git
import HandoffCore

/// A commit's identity as the fold and the hook see it: who, and in signature mode whether that is proven.
struct CommitIdentity: Sendable, Hashable {
    /// The verified principal, or (author mode, or unverified) the author line's email.
    var identity: String
    /// Why the identity is not proven, in signature mode; nil when it is, or in author mode.
    var problem: SignatureProblem?
}

/// Decides commits' identities under one ``IdentityMode``: the one home of that decision (fold, hook,
/// push rules). Built once per fold: it reads the `allowed_signers` file.
struct CommitIdentifier {
    let mode: IdentityMode
    private let signers: AllowedSigners?

    /// Reads what `mode` needs; an unreadable `allowed_signers` file stalls the repository.
    init(_ mode: IdentityMode) throws(ProcessingError) {
        self.mode = mode
        switch mode {
        case .authorEmail:
            signers = nil
        case .signature(let path):
            guard let signers = AllowedSigners(contentsOf: path) else { throw .stalled(.allowedSigners(path: path)) }
            self.signers = signers
        }
    }

    /// Who `commit` is.
    func identify(_ commit: Commit, in repository: Repository) throws(GitError) -> CommitIdentity {
        guard let signers else { return CommitIdentity(identity: commit.author.email) }
        let claimed = commit.author.email
        guard let signed = try repository.signature(ofCommit: commit.id) else { return CommitIdentity(identity: claimed, problem: .unsigned) }
        guard signed.isSSH else { return CommitIdentity(identity: claimed, problem: .notSSH) }
        let signature: SSHSignature
        do {
            signature = try SSHSignature(armored: signed.signature)
        } catch {
            return CommitIdentity(identity: claimed, problem: .unreadable)
        }
        guard signature.namespace == "git" else { return CommitIdentity(identity: claimed, problem: .wrongNamespace) }
        guard signature.verifies(signed.signedPayload) else { return CommitIdentity(identity: claimed, problem: .doesNotVerify) }
        guard let principal = signers.principal(for: signature.publicKey, namespace: "git", at: commit.committer.time.seconds) else {
            return CommitIdentity(identity: claimed, problem: .keyNotAllowed)
        }
        return CommitIdentity(identity: principal)
    }
}
