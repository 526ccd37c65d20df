public import Git

/// Why a repository could not be processed, sorted by who must act (a person, or nobody yet).
///
/// The worker decides from the case alone: a stalled repository is not retried until its configuration
/// is reloaded or the repository changes; a retryable one backs off; contention retries soon.
public enum ProcessingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A person must act: retrying cannot help until the configuration or the repository changes.
    case stalled(Stall)
    /// Nobody needs to act yet: a transient failure, retried with back-off.
    case retryable(Transient)
    /// Others kept moving the reference while handoffd tried to publish; the next run continues.
    case contention(reference: String, attempts: Int)

    /// What a person must fix.
    public enum Stall: Sendable, Equatable {
        /// The configured path is a work tree; handoffd needs a bare repository.
        case notBare(path: String)
        /// The configured path holds no repository handoffd can open (missing, not a repository, foreign owner).
        case cannotOpen(RepositoryOpenError)
        /// handoffd's signing key cannot be used (missing, unreadable, ssh-keygen absent).
        case signingKey(CommitSigningKey.Problem)
        /// The remote's credentials or host keys are missing or refused.
        case credentials(String)
        /// The remote refused the status commit for a reason no retry changes (a hook declining it).
        case refusedByRemote(url: String, String)
        /// `participant_identity: signature` names an `allowed_signers` file that cannot be read.
        case allowedSigners(path: String)
    }

    /// A failure expected to pass on its own.
    public enum Transient: Sendable, Equatable {
        /// A git operation failed (I/O, network, a lock held too long).
        case git(GitError)
        /// A signature could not be checked (it could not be read): not the same as a forged one.
        case signatureUnverifiable(commit: ObjectID, String)
        /// Publishing the status commit failed for a reason other than the branch moving.
        case publish(ReferenceUpdateError)
        /// The remote refused the status commit on every attempt of this run.
        case pushRefused(url: String, attempts: Int, last: String)
    }

    /// Whether a person must act before a retry can succeed.
    public var needsPerson: Bool {
        if case .stalled = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .stalled(let stall):
            switch stall {
            case .notBare(let path):
                "\(path) is a work tree; handoffd moves branches and needs a bare repository "
                    + "(serve a bare clone, or give the work tree's upstream as url)"
            case .cannotOpen(let error):
                "\(error); fix the configured path or the repository"
            case .signingKey(let problem):
                "\(problem)"
            case .credentials(let problem):
                problem
            case .refusedByRemote(let url, let reason):
                "\(url) refuses the status commit: \(reason)"
            case .allowedSigners(let path):
                "the allowed_signers file \(path) is missing or not readable by this user; without it no commit "
                    + "has an identity (participant_identity: signature)"
            }
        case .retryable(let transient):
            switch transient {
            case .git(let error):
                error.description
            case .signatureUnverifiable(let commit, let reason):
                "cannot check the signature of \(commit.abbreviated()): \(reason)"
            case .publish(let error):
                "cannot publish status: \(error)"
            case .pushRefused(let url, let attempts, let last):
                "\(url) refused the status commit \(attempts) times; last: \(last)"
            }
        case .contention(let reference, let attempts):
            "\(reference) kept moving: gave up publishing after \(attempts) attempts; the next run continues"
        }
    }
}
