internal import Configuration
import Foundation
import HandoffEngine
import Logging

extension DaemonConfiguration {
    /// Reads and validates `handoffd.yaml` at `path`, with overrides from this process's environment.
    ///
    /// The file's shape is checked first (``ConfigurationFile``: known keys only, each key's line kept),
    /// then values are read through swift-configuration with `HANDOFFD_<KEY PATH>` environment variables
    /// in front of the file: `HANDOFFD_POLL_INTERVAL`, `HANDOFFD_REPOSITORIES_SPECS_BRANCH`, … (the key path
    /// in capitals, `_` for `.`; lists comma-separated). Repositories themselves are listed only in the file.
    /// A bad value names the file, line and key path, or the environment variable it came from.
    ///
    /// ## Configuration keys
    /// - `identity.email` (string, required): the email on handoffd's commits and the principal of its key.
    /// - `identity.name` (string, optional, default `handoffd`): the name on handoffd's commits.
    /// - `identity.signing_key` (absolute path, optional, default `<state_directory>/handoffd_ed25519`):
    ///   handoffd's ed25519 SSH key, made once by `handoffd key generate`; a missing key stalls every repository.
    /// - `identity.trusted_keys` (list of SSH public key lines, optional): more keys whose signed status commits
    ///   are handoffd's own (a rotated key, other instances); the pre-receive hook verifies with these and
    ///   `<signing_key>.pub`, so it needs no private key.
    /// - `state_directory` (absolute path, required): where handoffd keeps its key, memory and mirrors.
    /// - `poll_interval` (seconds, optional, default 2, 0.1 to 3600): between polls of each repository.
    /// - `network.connect_timeout` (seconds, optional, default 10, 0.1 to 600): how long a remote repository
    ///   may take to accept a connection.
    /// - `network.inactivity_timeout` (seconds, optional, default 60, 1 to 3600): how long a remote may stay
    ///   silent once connected before the operation is cut and retried with back-off.
    /// - `notify_socket` (absolute path under 100 bytes, optional): the datagram socket the post-receive hook pokes.
    /// - `http.listen` (string, optional, off when unset or `off`): where the read API and dashboard listen,
    ///   `HOST:PORT` (e.g. `127.0.0.1:8420`; bind to loopback and put a reverse proxy in front) or an absolute
    ///   Unix socket path.
    /// - `http.request_timeout` (seconds, optional, default 10, 0.1 to 600): how long one request may take.
    /// - `log_level` (string, optional, default `info`): trace, debug, info, notice, warning, error or critical.
    /// - `repositories` (list, required, at least one), each entry with:
    ///   - `name` (string, required): ASCII letters, digits, `.`, `_` and `-`; names files in the state directory.
    ///   - `path` (absolute path): a local bare repository. A work tree is refused.
    ///   - `url` (string): or a remote one, `ssh://…`, `user@host:path`, `https://…` or `git://…`, mirrored
    ///     under `<state_directory>/mirrors/<name>.git`; a local path or `file://` URL is opened like `path`.
    ///     Exactly one of `path` and `url`.
    ///   - `branch` (string, optional, default `main`): the watched branch.
    ///   - `status_branch` (string, optional): the branch status commits go to, other than `branch`.
    ///   - `operators` (list of strings, required): emails or `*` patterns who alone may change the policy.
    ///   - `ssh_key` (absolute path, ssh only): the private key to log in with.
    ///   - `ssh_user` (string, ssh only, default `git`): the user when the URL names none.
    ///   - `known_hosts` (absolute path, ssh only): the only host keys accepted.
    ///   - `username` (string, https only) with `password_file` (absolute path, https only): a file holding
    ///     the password or token, read at each run.
    ///   - `participant_identity` (string, optional, default `author`): `signature`, a commit's identity is the
    ///     principal of its verified SSH signature in `allowed_signers` (unsigned commits hold no role); or
    ///     `author`, the author line's email, which anyone can type (trusted setups; a warning at start).
    ///   - `allowed_signers` (absolute path, with `signature` only): git's `allowed_signers` file of participants' keys.
    public static func load(_ path: String) throws(Problem) -> DaemonConfiguration {
        try load(path, environment: ProcessInfo.processInfo.environment)
    }

    /// Reads and validates the file at `path`, with overrides from `environment`.
    public static func load(
        _ path: String, environment: [String: String],
        probe: FileSystemProbe = .live
    ) throws(Problem) -> DaemonConfiguration {
        guard let text = FileSystemProbe.contents(of: path) else { throw Problem(file: path, key: "", reason: .unreadable) }
        return try parse(text, file: path, environment: environment, probe: probe)
    }

    /// Parses configuration text; `file` names it in errors. `environment` holds the overrides.
    public static func parse(
        _ text: String, file: String, environment: [String: String] = [:],
        probe: FileSystemProbe = .live
    ) throws(Problem) -> DaemonConfiguration {
        let reading = try ValueReading(file: ConfigurationFile(text, file: file), name: file, environment: environment, probe: probe)
        return try reading.configuration()
    }

    /// The environment variable that overrides the key with these components.
    static func environmentVariable(for components: [String]) -> String {
        (["HANDOFFD"] + components).joined(separator: "_").uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}

/// Typed, validated values from the file and the environment (the environment wins).
private struct ValueReading {
    let file: ConfigurationFile
    let name: String
    let environment: [String: String]
    let probe: FileSystemProbe
    let reader: ConfigReader

    init(file: ConfigurationFile, name: String, environment: [String: String], probe: FileSystemProbe) {
        self.file = file
        self.name = name
        self.environment = environment
        self.probe = probe
        reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "handoffd"),
            InMemoryProvider(name: name, values: file.values),
        ])
    }

    func fail(_ components: [String], _ reason: DaemonConfiguration.Reason) -> DaemonConfiguration.Problem {
        let key = components.joined(separator: ".")
        let variable = DaemonConfiguration.environmentVariable(for: components)
        let fromEnvironment = environment.keys.contains { $0.uppercased() == variable }
        // A key missing from the file is reported at its closest written parent (the repository's entry).
        let line = (0..<components.count).reversed().lazy
            .compactMap { self.file.lines[components[...$0].joined(separator: ".")] }.first
        return DaemonConfiguration.Problem(
            file: name, line: fromEnvironment ? nil : line, key: key, reason: reason,
            environmentVariable: fromEnvironment ? variable : nil)
    }

    /// A non-empty string, or nil when the key is absent everywhere.
    func string(_ components: [String]) throws(DaemonConfiguration.Problem) -> String? {
        guard let value = reader.string(forKey: ConfigKey(components)) else {
            if file.values[AbsoluteConfigKey(components)] != nil { throw fail(components, .notAScalar) }
            return nil
        }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(components, .blank) }
        return value
    }

    func absolutePath(_ components: [String]) throws(DaemonConfiguration.Problem) -> String? {
        guard let value = try string(components) else { return nil }
        guard value.hasPrefix("/") else { throw fail(components, .notAbsolute(value)) }
        return value
    }

    func configuration() throws(DaemonConfiguration.Problem) -> DaemonConfiguration {
        guard let email = try string(["identity", "email"]) else { throw fail(["identity", "email"], .missingEmail) }
        guard email.contains("@"), !email.contains(where: { $0 == "<" || $0 == ">" || $0.isNewline }) else {
            throw fail(["identity", "email"], .notAnEmail(email))
        }
        guard let stateDirectory = try absolutePath(["state_directory"]) else {
            throw fail(["state_directory"], .missingStateDirectory)
        }
        var repositories: [DaemonConfiguration.RepositoryEntry] = []
        for name in file.repositoryNames {
            repositories.append(try repository(name, stateDirectory: stateDirectory))
        }
        var configuration = DaemonConfiguration(
            name: try string(["identity", "name"]) ?? "handoffd", email: email,
            signingKey: try absolutePath(["identity", "signing_key"]) ?? "\(stateDirectory)/handoffd_ed25519",
            stateDirectory: stateDirectory, repositories: repositories)
        for line in reader.stringArray(forKey: ConfigKey(["identity", "trusted_keys"])) ?? [] {
            guard let key = SSHPublicKey(line: line) else { throw fail(["identity", "trusted_keys"], .notAPublicKey(line)) }
            configuration.trustedKeys.append(key)
        }
        if let interval = try seconds(["poll_interval"], in: 0.1...3_600) { configuration.pollInterval = interval }
        if let connect = try seconds(["network", "connect_timeout"], in: 0.1...600) { configuration.connectTimeout = connect }
        if let inactivity = try seconds(["network", "inactivity_timeout"], in: 1...3_600) { configuration.inactivityTimeout = inactivity }
        if let socket = try absolutePath(["notify_socket"]) {
            guard socket.utf8.count < 100 else { throw fail(["notify_socket"], .socketPathTooLong) }
            configuration.notifySocket = socket
        }
        if let listen = try string(["http", "listen"]), !listen.isEmpty, listen != "off" {
            guard let address = HTTPListenAddress(listen) else { throw fail(["http", "listen"], .notAListenAddress(listen)) }
            configuration.httpListen = address
        }
        if let timeout = try seconds(["http", "request_timeout"], in: 0.1...600) { configuration.httpRequestTimeout = timeout }
        if let level = try string(["log_level"]) {
            guard let parsed = Logger.Level(rawValue: level) else { throw fail(["log_level"], .unknownLogLevel(level)) }
            configuration.logLevel = parsed
        }
        return configuration
    }

    func repository(_ name: String, stateDirectory: String) throws(DaemonConfiguration.Problem) -> DaemonConfiguration.RepositoryEntry {
        let key = ["repositories", name]
        let operators =
            reader.stringArray(forKey: ConfigKey(key + ["operators"]))?
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        guard !operators.isEmpty else { throw fail(key + ["operators"], .noOperators) }
        let branch = try string(key + ["branch"]) ?? "main"
        try checkBranchName(branch, key + ["branch"])
        let statusBranch = try string(key + ["status_branch"])
        if let statusBranch {
            try checkBranchName(statusBranch, key + ["status_branch"])
            guard statusBranch != branch else { throw fail(key + ["status_branch"], .statusBranchIsWatched) }
        }
        let path = try absolutePath(key + ["path"])
        let url = try string(key + ["url"])
        guard (path == nil) != (url == nil) else { throw fail(key, .pathOrURL(both: path != nil)) }
        var local = path ?? ""
        var remote: (url: String, scheme: RemoteScheme)?
        if let url {
            switch RepositoryLocation(url: url) {
            case .local(let opened)?: local = opened
            case .remote(let scheme)?:
                local = "\(stateDirectory)/mirrors/\(name).git"
                remote = (url, scheme)
            case nil: throw fail(key + ["url"], .unsupportedURL(url))
            }
        }
        if remote == nil, probe.isWorkTree(local) { throw fail(key + ["path"], .workTree(local)) }
        var credentials = DaemonConfiguration.RemoteCredentials()
        credentials.sshKey = try absolutePath(key + ["ssh_key"])
        credentials.sshUser = try string(key + ["ssh_user"])
        credentials.knownHosts = try absolutePath(key + ["known_hosts"])
        credentials.username = try string(key + ["username"])
        credentials.passwordFile = try absolutePath(key + ["password_file"])
        let given: [(String, String?, RemoteScheme)] = [
            ("ssh_key", credentials.sshKey, .ssh), ("ssh_user", credentials.sshUser, .ssh), ("known_hosts", credentials.knownHosts, .ssh),
            ("username", credentials.username, .https), ("password_file", credentials.passwordFile, .https),
        ]
        for (field, value, scheme) in given where value != nil && remote?.scheme != scheme {
            throw fail(key + [field], .credentialNotForScheme(scheme))
        }
        if (credentials.username == nil) != (credentials.passwordFile == nil) {
            throw fail(key + [credentials.username == nil ? "username" : "password_file"], .usernameAndPasswordTogether)
        }
        var entry = DaemonConfiguration.RepositoryEntry(
            name: name, path: local, url: remote?.url, branch: branch, statusBranch: statusBranch,
            operators: operators, credentials: credentials)
        entry.participantIdentity = try participantIdentity(key)
        return entry
    }

    /// `participant_identity` with its `allowed_signers` file.
    func participantIdentity(_ key: [String]) throws(DaemonConfiguration.Problem) -> IdentityMode {
        let signers = try absolutePath(key + ["allowed_signers"])
        switch try string(key + ["participant_identity"]) {
        case nil, "author":
            guard signers == nil else { throw fail(key + ["allowed_signers"], .allowedSignersUnused) }
            return .authorEmail
        case "signature":
            guard let signers else { throw fail(key + ["allowed_signers"], .allowedSignersRequired) }
            return .signature(allowedSigners: signers)
        case let other?:
            throw fail(key + ["participant_identity"], .unknownParticipantIdentity(other))
        }
    }

    /// A number of seconds within `range`, or nil when the key is not set.
    func seconds(_ key: [String], in range: ClosedRange<Double>) throws(DaemonConfiguration.Problem) -> Double? {
        guard let text = try string(key) else { return nil }
        guard let value = Double(text), range.contains(value) else { throw fail(key, .badSeconds(text, range)) }
        return value
    }

    func checkBranchName(_ branch: String, _ key: [String]) throws(DaemonConfiguration.Problem) {
        let short = branch.hasPrefix("refs/heads/") ? String(branch.dropFirst(11)) : branch
        let bad =
            short.isEmpty || short.hasPrefix("-") || short.hasPrefix("/") || short.hasSuffix("/") || short.hasSuffix(".lock")
            || short.contains("..") || short.contains("//") || short.contains("@{")
            || short.contains(where: { $0.isWhitespace || "~^:?*[\\".contains($0) || $0.asciiValue.map { $0 < 32 } ?? false })
        guard !bad, !branch.hasPrefix("refs/") || branch.hasPrefix("refs/heads/") else { throw fail(key, .badBranchName(branch)) }
    }
}
