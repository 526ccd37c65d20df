extension DaemonConfiguration {
    /// A configuration error: where (file and line, or environment variable), the key path, and the reason.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file.
        public var file: String
        /// The line of the offending key or value, when known.
        public var line: Int?
        /// The key path, e.g. `repositories.specs.path`.
        public var key: String
        /// What is wrong.
        public var reason: Reason
        /// The environment variable the bad value came from, when it did not come from the file.
        public var environmentVariable: String?

        /// Creates a problem.
        public init(file: String, line: Int? = nil, key: String, reason: Reason, environmentVariable: String? = nil) {
            self.file = file
            self.line = line
            self.key = key
            self.reason = reason
            self.environmentVariable = environmentVariable
        }

        public var description: String {
            let place = environmentVariable.map { "environment variable \($0)" } ?? "\(file)\(line.map { ":\($0)" } ?? "")"
            return "\(place): \(key.isEmpty ? "" : "\(key): ")\(reason)"
        }
    }

    /// Why a configuration is refused; rendered (with what to do) only when printed.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// The file is missing or this user cannot read it.
        case unreadable
        /// The file is over the 1 MiB bound.
        case tooLarge
        /// The file holds no YAML document.
        case empty
        /// YAML's parser refused the text (its message).
        case notYAML(String)
        /// A mapping was expected here.
        case notAMapping
        /// A key this place does not know; `known` lists the ones it does.
        case unknownKey(known: [String])
        /// A list of strings was expected.
        case notAList
        /// A single value was expected, not a list or mapping.
        case notAScalar
        /// `repositories` is present but lists nothing.
        case emptyRepositories
        /// The file has no `repositories` at all.
        case missingRepositories
        /// A repository entry without a name.
        case unnamedRepository
        /// A repository name with characters that cannot name a file in the state directory.
        case badRepositoryName(String)
        /// Two repositories share a name.
        case duplicateRepositoryName(String)
        /// The value is empty or blank.
        case blank
        /// `identity.email` is missing.
        case missingEmail
        /// `state_directory` is missing.
        case missingStateDirectory
        /// The value is not an email address.
        case notAnEmail(String)
        /// The value must be an absolute path.
        case notAbsolute(String)
        /// A duration (`poll_interval`, `network.*`) is not a number of seconds in range.
        case badSeconds(String, ClosedRange<Double>)
        /// The socket path does not fit a `sockaddr_un`.
        case socketPathTooLong
        /// Not one of swift-log's levels.
        case unknownLogLevel(String)
        /// `http.listen` is neither `HOST:PORT` nor an absolute Unix socket path.
        case notAListenAddress(String)
        /// A repository lists no operators.
        case noOperators
        /// Not a valid git branch name.
        case badBranchName(String)
        /// `status_branch` names the watched branch.
        case statusBranchIsWatched
        /// A repository gives both `path` and `url` (`both`), or neither.
        case pathOrURL(both: Bool)
        /// The URL is not ssh, https, git:// nor a local path.
        case unsupportedURL(String)
        /// The path is a work tree; handoffd needs a bare repository.
        case workTree(String)
        /// A credential that only applies to another kind of URL.
        case credentialNotForScheme(RemoteScheme)
        /// `username` without `password_file`, or the reverse.
        case usernameAndPasswordTogether
        /// `participant_identity` is neither `signature` nor `author`.
        case unknownParticipantIdentity(String)
        /// `participant_identity: signature` without an `allowed_signers` file.
        case allowedSignersRequired
        /// `allowed_signers` given where identities come from author lines.
        case allowedSignersUnused
        /// A `trusted_keys` entry that is not an SSH public key line.
        case notAPublicKey(String)

        public var description: String {
            switch self {
            case .unreadable: "cannot read the file (missing or not readable by this user)"
            case .tooLarge: "larger than 1 MiB; is this the right file?"
            case .empty: "the file is empty"
            case .notYAML(let message): "not valid YAML: \(message)"
            case .notAMapping: "must be a mapping of keys to values"
            case .unknownKey(let known): "unknown key (known here: \(known.joined(separator: ", ")))"
            case .notAList: "must be a list of strings, e.g. [ops@acme.example]"
            case .notAScalar: "must be a single value, not a list or mapping"
            case .emptyRepositories: "must list at least one repository (a '- name: …' entry each)"
            case .missingRepositories: "missing: list the repositories to serve ('repositories:' with a '- name: …' entry each)"
            case .unnamedRepository: "every repository needs a name"
            case .badRepositoryName(let name):
                "'\(name)' may hold only ASCII letters, digits, '.', '_' and '-' (it names files in the state directory)"
            case .duplicateRepositoryName(let name): "'\(name)' is used twice"
            case .blank: "must not be empty"
            case .missingEmail: "missing: give the email on handoffd's commits, e.g. handoffd@acme.example"
            case .missingStateDirectory: "missing: give an absolute path such as /var/lib/handoff"
            case .notAnEmail(let value): "'\(value)' is not an email address"
            case .notAbsolute(let value): "'\(value)' must be an absolute path"
            case .badSeconds(let value, let range):
                "'\(value)' must be a number of seconds from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound))"
            case .socketPathTooLong: "must be shorter than 100 bytes (a Unix socket path)"
            case .unknownLogLevel(let value): "'\(value)' is not one of trace, debug, info, notice, warning, error, critical"
            case .notAListenAddress(let value):
                "'\(value)' is neither HOST:PORT (e.g. 127.0.0.1:8420) nor an absolute Unix socket path under 100 bytes"
            case .noOperators: "must list operator emails (or patterns such as '*@acme.example')"
            case .badBranchName(let value): "'\(value)' is not a valid branch name"
            case .statusBranchIsWatched: "is the watched branch itself; omit it to publish there"
            case .pathOrURL(let both):
                "give either path (a local bare repository) or url (a remote one), not \(both ? "both" : "neither")"
            case .unsupportedURL(let value): "'\(value)' is not an ssh, https or git:// URL (nor a local path)"
            case .workTree(let path):
                "'\(path)' is a work tree; handoffd moves branches and needs a bare repository. "
                    + "Serve a bare clone (git clone --bare), or give the work tree's upstream as url"
            case .credentialNotForScheme(let scheme): "applies only to \(scheme == .ssh ? "an ssh" : "an https") url"
            case .usernameAndPasswordTogether: "username and password_file go together"
            case .unknownParticipantIdentity(let value):
                "'\(value)' is not one of signature (the verified SSH signer, looked up in allowed_signers) or author (the author line, for trusted setups)"
            case .allowedSignersRequired:
                "participant_identity: signature needs allowed_signers: the file (git's format) naming each participant's SSH key"
            case .allowedSignersUnused: "applies only with participant_identity: signature"
            case .notAPublicKey(let value):
                "'\(value)' is not an SSH public key line such as 'ssh-ed25519 AAAA… handoffd@acme.example' (handoffd key show prints its own)"
            }
        }

        private static func plain(_ seconds: Double) -> String {
            seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
        }
    }
}
