/// Why a commit's SSH signature gives it no identity (`participant_identity: signature`): such a commit
/// holds no role, whatever its author line says.
public enum SignatureProblem: Hashable, Sendable, CaseIterable {
    /// The commit carries no signature.
    case unsigned
    /// A signature of another kind (GPG, X.509): only SSH signatures are checked.
    case notSSH
    /// An SSH signature that cannot be read, or whose key type is not ed25519.
    case unreadable
    /// Signed for another purpose than git commits (its namespace is not `git`).
    case wrongNamespace
    /// The signature does not verify against its own key: the commit was altered, or the signature forged.
    case doesNotVerify
    /// The key verifies the signature but no `allowed_signers` line names it for `git`, at the commit's time.
    case keyNotAllowed
    /// The commit cannot be read whole (over the size limit, malformed, or merging too many parents): nobody
    /// can be held to it, so nothing it does is honoured, in any identity mode.
    case unreadableCommit

    /// What is wrong and what to do, in one line.
    public var reason: String {
        switch self {
        case .unsigned: "the commit is not signed (run `handoff signing setup`, then sign commits)"
        case .notSSH: "the commit is signed, but not with an SSH key (set gpg.format=ssh)"
        case .unreadable: "the commit's SSH signature cannot be read (only ed25519 keys are checked)"
        case .wrongNamespace: "the commit's SSH signature is not for git (namespace)"
        case .doesNotVerify: "the commit's SSH signature does not verify"
        case .keyNotAllowed: "the commit is signed by a key allowed_signers does not list (ask an operator to add it)"
        case .unreadableCommit:
            "the commit cannot be read whole (over the size limit, malformed, or merging too many parents): rewrite it"
        }
    }
}
