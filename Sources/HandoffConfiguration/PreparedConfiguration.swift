public import HandoffCore
public import HandoffEngine

/// handoffd's startup sequence in one place: a loaded configuration, handoffd's signing key prepared
/// (generated on first use), and each repository's engine settings. The daemon, `--once` and the CLI's
/// hooks and replay all start here, so they agree on the key and on where each repository's memory lives.
public struct PreparedConfiguration: Sendable {
    /// The configuration in force.
    public let configuration: DaemonConfiguration
    /// handoffd's key, ready to sign and verify.
    public let signingKey: CommitSigningKey

    /// Prepares handoffd's signing key for `configuration` (runs ssh-keygen only when the key is new).
    public init(_ configuration: DaemonConfiguration) throws(CommitSigningKey.Problem) {
        self.configuration = configuration
        signingKey = try CommitSigningKey.prepare(
            at: configuration.signingKey, principal: configuration.email,
            stateDirectory: configuration.stateDirectory)
    }

    /// The engine's settings for `entry`, sharing `cache` (nil: no memoised contract checks).
    public func settings(for entry: DaemonConfiguration.RepositoryEntry, cache: CheckCache?) -> EngineSettings {
        configuration.engineSettings(for: entry, key: signingKey, cache: cache)
    }
}

extension DaemonConfiguration {
    /// The engine's settings for `entry`: its branches and operators, handoffd's identity, `key`, and the
    /// file where the last covered commit is remembered.
    public func engineSettings(for entry: RepositoryEntry, key: CommitSigningKey, cache: CheckCache?) -> EngineSettings {
        var settings = EngineSettings(
            branch: entry.branch, operators: entry.operators, name: name, email: email,
            signingKey: key, cache: cache)
        settings.statusBranch = entry.statusBranch
        settings.identityMode = entry.participantIdentity
        settings.memoryFile = memoryFile(for: entry)
        return settings
    }
}
