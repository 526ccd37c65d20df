internal import Configuration
import Foundation
public import HandoffCore
public import HandoffEngine
public import Logging

/// `handoffd`'s configuration file (YAML): who it is, where it keeps state, which repositories it serves.
///
/// Values are read through swift-configuration, so `HANDOFFD_<KEY>` environment variables override the
/// file (`HANDOFFD_POLL_INTERVAL`, `HANDOFFD_REPOSITORIES_SPECS_BRANCH`, …). Unknown keys and bad values
/// are errors naming the file, line and key path, so a typo never silently changes behaviour.
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
    }

    /// The name on handoffd's commits.
    public var name: String
    /// The email on handoffd's commits (and the principal of its signing key).
    public var email: String
    /// handoffd's private SSH key; generated on first use when absent.
    public var signingKey: String
    /// Where handoffd keeps its key and memory.
    public var stateDirectory: String
    /// The repositories served.
    public var repositories: [RepositoryEntry]
    /// Seconds between polls of each repository (pokes wake it sooner).
    public var pollInterval: Double = 2
    /// The Unix datagram socket the post-receive hook pokes, or nil for none.
    public var notifySocket: String?
    /// The lowest level logged.
    public var logLevel: Logger.Level = .info

    /// A configuration error: where (file and line, or environment variable), the key path, and the reason.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// The file.
        public var file: String
        /// The line of the offending key or value, when known.
        public var line: Int?
        /// The key path, e.g. `repositories.specs.path`.
        public var key: String
        /// What is wrong and what to do.
        public var reason: String
        /// The environment variable the bad value came from, when it did not come from the file.
        public var environmentVariable: String?

        public var description: String {
            let place = environmentVariable.map { "environment variable \($0)" } ?? "\(file)\(line.map { ":\($0)" } ?? "")"
            return "\(place): \(key.isEmpty ? "" : "\(key): ")\(reason)"
        }
    }

    /// Reads and validates the file at `path`, with overrides from this process's environment.
    public static func load(_ path: String) throws(Problem) -> DaemonConfiguration {
        try load(path, environment: ProcessInfo.processInfo.environment)
    }

    /// Reads and validates the file at `path`, with overrides from `environment`.
    public static func load(_ path: String, environment: [String: String]) throws(Problem) -> DaemonConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(file: path, key: "", reason: "cannot read the file (missing or not readable by this user)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, environment: environment)
    }

    /// The environment variable that overrides the key with these components.
    static func environmentVariable(for components: [String]) -> String {
        (["HANDOFFD"] + components).joined(separator: "_").uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Parses configuration text; `file` names it in errors. `environment` holds the overrides.
    public static func parse(_ text: String, file: String, environment: [String: String] = [:]) throws(Problem) -> DaemonConfiguration {
        var reading = try ValueReading(file: ConfigurationFile(text, file: file), name: file, environment: environment)
        return try reading.configuration()
    }
}

/// Typed, validated values from the file and the environment (the environment wins).
private struct ValueReading {
    let file: ConfigurationFile
    let name: String
    let environment: [String: String]
    let reader: ConfigReader

    init(file: ConfigurationFile, name: String, environment: [String: String]) {
        self.file = file
        self.name = name
        self.environment = environment
        reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "handoffd"),
            InMemoryProvider(name: name, values: file.values),
        ])
    }

    func fail(_ components: [String], _ reason: String) -> DaemonConfiguration.Problem {
        let key = components.joined(separator: ".")
        let variable = DaemonConfiguration.environmentVariable(for: components)
        let fromEnvironment = environment.keys.contains { $0.uppercased() == variable }
        // A key missing from the file is reported at its closest written parent (the repository's entry).
        let line = (0..<components.count).reversed().lazy
            .compactMap { self.file.lines[components[...$0].joined(separator: ".")] }.first
        return DaemonConfiguration.Problem(file: name, line: fromEnvironment ? nil : line, key: key, reason: reason,
                                           environmentVariable: fromEnvironment ? variable : nil)
    }

    /// A non-empty string, or nil when the key is absent everywhere.
    func string(_ components: [String]) throws(DaemonConfiguration.Problem) -> String? {
        guard let value = reader.string(forKey: ConfigKey(components)) else {
            if file.values[AbsoluteConfigKey(components)] != nil { throw fail(components, "must be a single value") }
            return nil
        }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(components, "must not be empty") }
        return value
    }

    func required(_ components: [String], _ what: String) throws(DaemonConfiguration.Problem) -> String {
        guard let value = try string(components) else { throw fail(components, "missing: give \(what)") }
        return value
    }

    func absolutePath(_ components: [String]) throws(DaemonConfiguration.Problem) -> String? {
        guard let value = try string(components) else { return nil }
        guard value.hasPrefix("/") else { throw fail(components, "'\(value)' must be an absolute path") }
        return value
    }

    mutating func configuration() throws(DaemonConfiguration.Problem) -> DaemonConfiguration {
        let email = try required(["identity", "email"], "the email on handoffd's commits, e.g. handoffd@acme.example")
        guard email.contains("@"), !email.contains(where: { $0 == "<" || $0 == ">" || $0.isNewline }) else {
            throw fail(["identity", "email"], "'\(email)' is not an email address")
        }
        guard let stateDirectory = try absolutePath(["state_directory"]) else {
            throw fail(["state_directory"], "missing: give an absolute path such as /var/lib/handoff")
        }
        var repositories: [DaemonConfiguration.RepositoryEntry] = []
        for name in file.repositoryNames {
            repositories.append(try repository(name, stateDirectory: stateDirectory))
        }
        var configuration = DaemonConfiguration(
            name: try string(["identity", "name"]) ?? "handoffd", email: email,
            signingKey: try absolutePath(["identity", "signing_key"]) ?? "\(stateDirectory)/handoffd_ed25519",
            stateDirectory: stateDirectory, repositories: repositories)
        if let interval = try string(["poll_interval"]) {
            guard let seconds = Double(interval), (0.1...3_600).contains(seconds) else {
                throw fail(["poll_interval"], "'\(interval)' must be a number of seconds from 0.1 to 3600")
            }
            configuration.pollInterval = seconds
        }
        if let socket = try absolutePath(["notify_socket"]) {
            guard socket.utf8.count < 100 else { throw fail(["notify_socket"], "must be shorter than 100 bytes (a Unix socket path)") }
            configuration.notifySocket = socket
        }
        if let level = try string(["log_level"]) {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw fail(["log_level"], "'\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        return configuration
    }

    func repository(_ name: String, stateDirectory: String) throws(DaemonConfiguration.Problem) -> DaemonConfiguration.RepositoryEntry {
        let key = ["repositories", name]
        let operators = reader.stringArray(forKey: ConfigKey(key + ["operators"]))?
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        guard !operators.isEmpty else {
            throw fail(key + ["operators"], "must list operator emails (or patterns such as '*@acme.example')")
        }
        let branch = try string(key + ["branch"]) ?? "main"
        try checkBranchName(branch, key + ["branch"])
        let statusBranch = try string(key + ["status_branch"])
        if let statusBranch {
            try checkBranchName(statusBranch, key + ["status_branch"])
            guard statusBranch != branch else { throw fail(key + ["status_branch"], "is the watched branch itself; omit it to publish there") }
        }
        var path = try absolutePath(key + ["path"])
        var url = try string(key + ["url"])
        guard (path == nil) != (url == nil) else {
            throw fail(key, "give either path (a local bare repository) or url (a remote one), not \(path == nil ? "neither" : "both")")
        }
        if let remote = url {
            if remote.hasPrefix("/") || remote.hasPrefix("file://") {
                // A local remote is opened directly: libgit2's local push would bypass the server's hooks and locks.
                path = remote.hasPrefix("file://") ? String(remote.dropFirst(7)) : remote
                url = nil
            } else if !(remote.hasPrefix("ssh://") || remote.hasPrefix("git://") || remote.hasPrefix("https://")
                        || remote.contains("@") && remote.contains(":") && !remote.contains("://")) {
                throw fail(key + ["url"], "'\(remote)' is not an ssh, https or git:// URL (nor a local path)")
            } else {
                path = "\(stateDirectory)/mirrors/\(name).git"
            }
        }
        let local = path ?? ""
        if url == nil, FileManager.default.fileExists(atPath: "\(local)/.git") {
            throw fail(key + ["path"], "'\(local)' is a work tree; handoffd moves branches and needs a bare repository. "
                       + "Serve a bare clone (git clone --bare), or give the work tree's upstream as url")
        }
        var credentials = DaemonConfiguration.RemoteCredentials()
        credentials.sshKey = try absolutePath(key + ["ssh_key"])
        credentials.sshUser = try string(key + ["ssh_user"])
        credentials.knownHosts = try absolutePath(key + ["known_hosts"])
        credentials.username = try string(key + ["username"])
        credentials.passwordFile = try absolutePath(key + ["password_file"])
        let isSSH = url.map { $0.hasPrefix("ssh://") || !$0.contains("://") } ?? false
        let isHTTPS = url?.hasPrefix("https://") ?? false
        for (field, value, fits, kind) in [("ssh_key", credentials.sshKey, isSSH, "an ssh"), ("ssh_user", credentials.sshUser, isSSH, "an ssh"),
                                           ("known_hosts", credentials.knownHosts, isSSH, "an ssh"),
                                           ("username", credentials.username, isHTTPS, "an https"),
                                           ("password_file", credentials.passwordFile, isHTTPS, "an https")] where value != nil && !fits {
            throw fail(key + [field], "applies only to \(kind) url")
        }
        if (credentials.username == nil) != (credentials.passwordFile == nil) {
            throw fail(key + [credentials.username == nil ? "username" : "password_file"], "username and password_file go together")
        }
        return DaemonConfiguration.RepositoryEntry(name: name, path: local, url: url, branch: branch, statusBranch: statusBranch,
                                                   operators: operators, credentials: credentials)
    }

    func checkBranchName(_ branch: String, _ key: [String]) throws(DaemonConfiguration.Problem) {
        let short = branch.hasPrefix("refs/heads/") ? String(branch.dropFirst(11)) : branch
        let bad = short.isEmpty || short.hasPrefix("-") || short.hasPrefix("/") || short.hasSuffix("/") || short.hasSuffix(".lock")
            || short.contains("..") || short.contains("//") || short.contains("@{")
            || short.contains(where: { $0.isWhitespace || "~^:?*[\\".contains($0) || $0.asciiValue.map { $0 < 32 } ?? false })
        guard !bad, !branch.hasPrefix("refs/") || branch.hasPrefix("refs/heads/") else {
            throw fail(key, "'\(branch)' is not a valid branch name")
        }
    }
}

extension DaemonConfiguration {
    /// The engine's settings for `entry`: its branches and operators, handoffd's identity, `key`, and the
    /// file where the last covered commit is remembered.
    public func engineSettings(for entry: RepositoryEntry, key: CommitSigningKey, cache: CheckCache?) -> EngineSettings {
        var settings = EngineSettings(branch: entry.branch, operators: entry.operators, name: name, email: email,
                                      signingKey: key, cache: cache)
        settings.statusBranch = entry.statusBranch
        settings.memoryFile = "\(stateDirectory)/\(entry.name).covered"
        return settings
    }

    /// The repository with this name (or path); the only one when `name` is nil. Nil when none or several match.
    public func repository(named name: String?) -> RepositoryEntry? {
        let matches = repositories.filter { name == nil || $0.name == name || $0.path == name }
        return matches.count == 1 ? matches[0] : nil
    }
}

extension DaemonConfiguration {
    /// At start: removes the scratch folders of processes killed before cleaning up (ssh-keygen's files).
    func sweepScratch(logger: Logger) {
        let swept = ScratchFolder.sweep(ScratchFolder.base(inStateDirectory: stateDirectory))
        if swept > 0 { logger.notice("removed \(swept) scratch folder(s) left by processes that ended without cleaning up") }
    }
}
