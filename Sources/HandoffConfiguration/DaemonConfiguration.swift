import Foundation
public import HandoffEngine
public import Logging

/// `handoffd`'s configuration: who it is, where it keeps state, which repositories it serves.
///
/// Plain values; ``DaemonConfiguration/load(_:)`` (in `DaemonConfiguration+ConfigReader.swift`) reads them
/// from the YAML file and `HANDOFFD_*` environment variables and lists every key.
public struct DaemonConfiguration: Sendable, Equatable {
    /// One served repository.
    public struct RepositoryEntry: Sendable, Equatable {
        /// A short name for logs and commands.
        public var name: String
        /// Path of the local bare repository (for a remote one: its mirror under the state directory).
        public var path: String
        /// The remote repository's URL (ssh, https or git://), or nil for a local one.
        public var url: String?
        /// The watched branch.
        public var branch: String
        /// The branch status commits go to, when not the watched one (for hosts that protect it).
        public var statusBranch: String?
        /// Operator emails or patterns: they alone may change the policy.
        public var operators: [String]
        /// How to authenticate to `url`.
        public var credentials = RemoteCredentials()
        /// Where participants' identities come from: the author line (the default, for existing configurations)
        /// or verified SSH signatures.
        public var participantIdentity = IdentityMode.authorEmail

        /// Creates an entry.
        public init(
            name: String, path: String, url: String? = nil, branch: String = "main", statusBranch: String? = nil,
            operators: [String], credentials: RemoteCredentials = RemoteCredentials()
        ) {
            self.name = name
            self.path = path
            self.url = url
            self.branch = branch
            self.statusBranch = statusBranch
            self.operators = operators
            self.credentials = credentials
        }
    }

    /// How handoffd authenticates to one remote repository.
    public struct RemoteCredentials: Sendable, Equatable {
        /// Private SSH key for ssh URLs (its `.pub` beside it, or derived by libssh2).
        public var sshKey: String?
        /// SSH user when the URL names none (default `git`).
        public var sshUser: String?
        /// A known_hosts file holding the server's key; without it the user's `~/.ssh/known_hosts` applies.
        public var knownHosts: String?
        /// User name for https.
        public var username: String?
        /// A file holding the https password or token (read at each run, never logged).
        public var passwordFile: String?

        /// No credentials: the ssh agent, the user's known_hosts, anonymous https.
        public init() {}
    }

    /// The name on handoffd's commits.
    public var name: String
    /// The email on handoffd's commits (and the principal of its signing key).
    public var email: String
    /// handoffd's private SSH key, made once by `handoffd key generate` (never on the way).
    public var signingKey: String
    /// Public keys whose signed status commits are handoffd's own besides its signing key's: a rotated key,
    /// other instances serving the same repositories. What a hook run by another user verifies with.
    public var trustedKeys: [SSHPublicKey] = []
    /// Where handoffd keeps its key and memory.
    public var stateDirectory: String
    /// The repositories served.
    public var repositories: [RepositoryEntry]
    /// Seconds between polls of each repository (pokes wake it sooner).
    public var pollInterval: Double = 2
    /// Seconds a remote repository may take to accept a connection.
    public var connectTimeout: Double = 10
    /// Seconds a remote may stay silent once connected before the operation is cut.
    public var inactivityTimeout: Double = 60
    /// The Unix datagram socket the post-receive hook pokes, or nil for none.
    public var notifySocket: String?
    /// Where the read API and dashboard listen (`http.listen`), or nil when off.
    public var httpListen: HTTPListenAddress?
    /// Seconds one HTTP request may take (`http.request_timeout`).
    public var httpRequestTimeout: Double = 10
    /// The lowest level logged.
    public var logLevel: Logger.Level = .info

    /// Creates a configuration; the optional settings keep their defaults.
    public init(
        name: String = "handoffd", email: String, signingKey: String, stateDirectory: String,
        repositories: [RepositoryEntry]
    ) {
        self.name = name
        self.email = email
        self.signingKey = signingKey
        self.stateDirectory = stateDirectory
        self.repositories = repositories
    }

    /// The repository with this name (or path); the only one when `name` is nil. Nil when none or several match.
    public func repository(named name: String?) -> RepositoryEntry? {
        let matches = repositories.filter { name == nil || $0.name == name || $0.path == name }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The local repository served from `path`, compared after resolving symlinks, `.` and `..`: what a
    /// command handed a repository folder (`hook install --repo`) serves, without naming it again.
    public func repository(at path: String) -> RepositoryEntry? {
        func canonical(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        let wanted = canonical(path)
        let matches = repositories.filter { $0.url == nil && canonical($0.path) == wanted }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The file where the last covered commit of `entry` is remembered between runs.
    public func memoryFile(for entry: RepositoryEntry) -> String { "\(stateDirectory)/\(entry.name).covered" }
}
