import Foundation
public import HandoffCore
public import HandoffEngine
internal import Yams

/// `handoffd`'s configuration file (YAML): who it is, where it keeps state, which repositories it serves.
///
/// Unknown keys and bad values are errors naming the key path, so a typo never silently changes behaviour.
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
        /// Operator emails or patterns: they alone may change the policy.
        public var operators: [String]
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

    /// A configuration error: the key path and the reason.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// The file.
        public var file: String
        /// The key path, e.g. `repositories[1].path`.
        public var key: String
        /// What is wrong.
        public var reason: String

        public var description: String { "\(file): \(key.isEmpty ? "" : "\(key): ")\(reason)" }
    }

    /// Reads and validates the file at `path`.
    public static func load(_ path: String) throws(Problem) -> DaemonConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(file: path, key: "", reason: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(Problem) -> DaemonConfiguration {
        func fail(_ key: String, _ reason: String) -> Problem { Problem(file: file, key: key, reason: reason) }
        let root: Node
        do {
            guard let parsed = try Yams.compose(yaml: text) else { throw fail("", "the file is empty") }
            root = parsed
        } catch let problem as Problem {
            throw problem
        } catch {
            throw fail("", "not valid YAML: \(error)")
        }
        func mapping(_ node: Node?, _ key: String, allowed: Set<String>) throws(Problem) -> [(String, Node)] {
            guard let map = node?.mapping else { throw fail(key, "must be a mapping") }
            var pairs: [(String, Node)] = []
            for (name, value) in map {
                let keyName = name.string ?? ""
                guard allowed.contains(keyName) else {
                    throw fail(key.isEmpty ? keyName : "\(key).\(keyName)", "unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
                }
                pairs.append((keyName, value))
            }
            return pairs
        }
        func string(_ node: Node?, _ key: String) throws(Problem) -> String {
            guard let value = node?.scalar?.string, !value.isEmpty else { throw fail(key, "must be a non-empty string") }
            return value
        }
        let top = Dictionary(try mapping(root, "", allowed: ["identity", "state_directory", "repositories", "poll_interval", "notify_socket"]),
                             uniquingKeysWith: { $1 })
        let identity = Dictionary(try mapping(top["identity"], "identity", allowed: ["name", "email", "signing_key"]), uniquingKeysWith: { $1 })
        let email = try string(identity["email"], "identity.email")
        guard email.contains("@") else { throw fail("identity.email", "'\(email)' is not an email address") }
        let stateDirectory = try string(top["state_directory"], "state_directory")
        guard stateDirectory.hasPrefix("/") else { throw fail("state_directory", "must be an absolute path") }
        var repositories: [RepositoryEntry] = []
        guard let list = top["repositories"]?.sequence, !list.isEmpty else { throw fail("repositories", "must list at least one repository") }
        for (index, item) in list.enumerated() {
            let key = "repositories[\(index)]"
            let fields = Dictionary(try mapping(item, key, allowed: ["name", "path", "url", "branch", "operators"]), uniquingKeysWith: { $1 })
            let name = try string(fields["name"], "\(key).name")
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }), !name.hasPrefix(".") else {
                throw fail("\(key).name", "'\(name)' may hold only letters, digits, '.', '_' and '-' (it names files in the state directory)")
            }
            guard !repositories.contains(where: { $0.name == name }) else { throw fail("\(key).name", "'\(name)' is used twice") }
            let operators = fields["operators"]?.sequence?.compactMap { $0.scalar?.string } ?? []
            guard let declared = fields["operators"]?.sequence, operators.count == declared.count, !operators.isEmpty else {
                throw fail("\(key).operators", "must list operator emails (or patterns such as '*@acme.example')")
            }
            guard (fields["path"] == nil) != (fields["url"] == nil) else {
                throw fail(key, "give either path (a local bare repository) or url (a remote one)")
            }
            var path = fields["path"] == nil ? "" : try string(fields["path"], "\(key).path")
            var url = fields["url"] == nil ? nil : try string(fields["url"], "\(key).url")
            if let remote = url {
                // A local remote is opened directly: libgit2's local push bypasses the server's hooks and locks.
                if remote.hasPrefix("/") || remote.hasPrefix("file://") {
                    path = remote.hasPrefix("file://") ? String(remote.dropFirst(7)) : remote
                    url = nil
                } else if !(remote.hasPrefix("ssh://") || remote.hasPrefix("git://") || remote.hasPrefix("https://")
                            || remote.contains("@") && remote.contains(":")) {
                    throw fail("\(key).url", "'\(remote)' is not an ssh, https or git:// URL")
                } else {
                    path = "\(stateDirectory)/mirrors/\(name).git"
                }
            }
            repositories.append(RepositoryEntry(name: name, path: path, url: url,
                                                branch: fields["branch"] == nil ? "main" : try string(fields["branch"], "\(key).branch"),
                                                operators: operators))
        }
        var configuration = DaemonConfiguration(
            name: identity["name"] == nil ? "handoffd" : try string(identity["name"], "identity.name"), email: email,
            signingKey: identity["signing_key"] == nil ? "\(stateDirectory)/handoffd_ed25519" : try string(identity["signing_key"], "identity.signing_key"),
            stateDirectory: stateDirectory, repositories: repositories)
        if let interval = top["poll_interval"] {
            guard let seconds = Double(try string(interval, "poll_interval")), (0.1...3_600).contains(seconds) else {
                throw fail("poll_interval", "must be a number of seconds from 0.1 to 3600")
            }
            configuration.pollInterval = seconds
        }
        if let socket = top["notify_socket"] {
            let path = try string(socket, "notify_socket")
            guard path.hasPrefix("/"), path.utf8.count < 100 else { throw fail("notify_socket", "must be an absolute path under 100 bytes") }
            configuration.notifySocket = path
        }
        return configuration
    }
}

extension DaemonConfiguration {
    /// The engine's settings for `entry`: its branch and operators, handoffd's identity, `key`, and the
    /// file where the last covered commit is remembered.
    public func engineSettings(for entry: RepositoryEntry, key: CommitSigningKey, cache: CheckCache?) -> EngineSettings {
        var settings = EngineSettings(branch: entry.branch, operators: entry.operators, name: name, email: email,
                                      signingKey: key, cache: cache)
        settings.memoryFile = "\(stateDirectory)/\(entry.name).covered"
        return settings
    }

    /// The repository with this name (or path); the only one when `name` is nil. Nil when none or several match.
    public func repository(named name: String?) -> RepositoryEntry? {
        let matches = repositories.filter { name == nil || $0.name == name || $0.path == name }
        return matches.count == 1 ? matches[0] : nil
    }
}
