import Foundation
import Git
public import HandoffCore

/// Where a commit's identity (the email matched against roles) comes from.
public enum IdentityMode: Sendable, Hashable {
    /// The author email, as written in the commit: anyone can type it (trusted setups only).
    case authorEmail
    /// The principal of the commit's verified SSH signature, looked up in this `allowed_signers` file;
    /// an unsigned or unverifiable commit holds no role.
    case signature(allowedSigners: String)
}

/// Who handoffd is in a repository and how it works there: the inputs of ``RepositoryProcessor``.
public struct EngineSettings: Sendable {
    /// The watched branch (short name or `refs/heads/…`).
    public var branch: String
    /// Operator emails or patterns (from the daemon's configuration, never from the repository).
    public var operators: [String]
    /// The name on handoffd's commits.
    public var name: String
    /// The email on handoffd's commits.
    public var email: String
    /// handoffd's signing key, or why it cannot be used: a repository can be audited and replayed without
    /// it, but a run that must publish stalls.
    public var signingKey: Result<CommitSigningKey, CommitSigningKey.Problem>
    /// The keys whose signed status commits are handoffd's own (its watermarks; everything else is input).
    public var trustedKeys: TrustedKeys
    /// The branch status commits go to when it is not the watched one (short name or `refs/heads/…`).
    public var statusBranch: String?
    /// The status branch new configurations publish to (`handoff demo`, the shipped configuration), and the
    /// one a clone reads when the remote has it and `git config handoff.statusBranch` says nothing else.
    public static let defaultStatusBranch = "handoff/status"
    /// Memoised contract checks, shared across runs.
    public var cache: CheckCache?
    /// Threads that check a catch-up's files ahead of the fold (#13); 1 checks everything in the fold itself.
    /// The output is the same either way: only the time differs.
    public var checkThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Commits whose files are checked ahead at a time: bounds the bytes held (two windows, with the one being
    /// prepared on its own thread while the fold works through the other), not the work.
    public var checkWindow = EngineSettings.defaultCheckWindow
    /// The window a catch-up uses unless told otherwise.
    public static let defaultCheckWindow = 256
    /// Where identities come from.
    public var identityMode = IdentityMode.authorEmail
    /// A file where the last covered tip is kept between runs, to notice a rewritten history (nil: not kept).
    public var memoryFile: String?

    /// Creates settings that sign with `signingKey` and trust it alone.
    public init(
        branch: String = "main", operators: [String], name: String = "handoffd", email: String,
        signingKey: CommitSigningKey, cache: CheckCache? = CheckCache()
    ) {
        self.init(
            branch: branch, operators: operators, name: name, email: email, signingKey: .success(signingKey),
            trustedKeys: TrustedKeys([signingKey.publicKey]), cache: cache)
    }

    /// Creates settings with a signing key that may be unusable, trusting `trustedKeys`.
    public init(
        branch: String = "main", operators: [String], name: String = "handoffd", email: String,
        signingKey: Result<CommitSigningKey, CommitSigningKey.Problem>, trustedKeys: TrustedKeys, cache: CheckCache? = CheckCache()
    ) {
        self.branch = branch
        self.operators = operators
        self.name = name
        self.email = email
        self.signingKey = signingKey
        self.trustedKeys = trustedKeys
        self.cache = cache
    }

    /// `.handoff/allowed_signers` as handoffd writes it: its email with each trusted key (nil without keys).
    public var allowedSigners: String? {
        // The verify command in the file names the branch the file is on, as a clone sees it.
        let published = statusBranchName.map { "origin/\($0)" } ?? branch
        return SignersFile.render(principal: email, keys: trustedKeys.keys.map(\.line), branch: published)
    }

    /// The branch's full reference name.
    public var reference: String { Self.fullName(branch) }

    /// The full reference name status commits are published to: the watched branch unless `statusBranch` is set.
    public var statusReference: String { statusBranch.map(Self.fullName) ?? reference }

    /// The status branch's short name (`handoff/status`, whether configured short or as `refs/heads/…`), or
    /// nil when status goes on the watched branch.
    public var statusBranchName: String? {
        statusBranch.map { $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : $0 }
    }

    private static func fullName(_ branch: String) -> String { branch.hasPrefix("refs/") ? branch : "refs/heads/\(branch)" }
}
