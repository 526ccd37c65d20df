import Foundation
public import HandoffCore
public import HandoffEngine

/// handoffd's startup sequence in one place: a loaded configuration, handoffd's signing key (never made
/// here: see ``CommitSigningKey/generate(at:principal:stateDirectory:)``), the keys whose commits are its
/// own, and each repository's engine settings. The daemon, `--once` and the CLI's hooks and replay all start
/// here, so they agree on the keys and on where each repository's memory lives.
public struct PreparedConfiguration: Sendable {
    /// The configuration in force.
    public let configuration: DaemonConfiguration
    /// handoffd's key, or why it cannot be used (a repository that must publish then stalls, saying so).
    public let signingKey: Result<CommitSigningKey, CommitSigningKey.Problem>
    /// The keys whose signed status commits are handoffd's own.
    public let trustedKeys: TrustedKeys

    /// Prepares `configuration`. With `loadingSigningKey` false (the pre-receive hook, replay: they only
    /// verify) the private key is not read, so they run as any user; its public half still counts when
    /// `<signing_key>.pub` is readable.
    public init(_ configuration: DaemonConfiguration, loadingSigningKey: Bool = true) {
        self.configuration = configuration
        signingKey =
            loadingSigningKey
            ? Result { () throws(CommitSigningKey.Problem) in
                try CommitSigningKey.load(at: configuration.signingKey, principal: configuration.email, stateDirectory: configuration.stateDirectory)
            } : .failure(.missing(path: configuration.signingKey))
        var keys = configuration.trustedKeys
        switch signingKey {
        case .success(let key): keys.append(key.publicKey)
        case .failure:
            // SSHKeygen reads a `.pub` without a child process: the hook's path, and readable by the git user
            // when the operator made it so.
            let pub = configuration.signingKey + ".pub"
            if FileManager.default.isReadableFile(atPath: pub),
                let key = try? SSHKeygen.publicKey(of: pub, scratch: ScratchFolder.base(inStateDirectory: configuration.stateDirectory))
            {
                keys.append(key)
            }
        }
        trustedKeys = TrustedKeys(keys)
    }

    /// Whether the signing key was loaded and can sign.
    public var isSigningKeyUsable: Bool {
        if case .success = signingKey { true } else { false }
    }

    /// Why a command that only verifies (the hook, replay) cannot tell handoffd's commits from others.
    public struct UnknownOwnKeys: Error, Sendable, CustomStringConvertible {
        /// The public key file that could not be read.
        public var publicKeyPath: String

        public var description: String {
            "cannot tell handoffd's own commits: \(publicKeyPath) is not readable by this user and identity.trusted_keys lists "
                + "no key; add handoffd's public key line there (`handoffd key show --config FILE` prints it)"
        }
    }

    /// Prepares `configuration` for commands that only verify: no private key is read, and at least one
    /// trusted key must be known (else every status commit would read as forged input).
    public static func forVerifying(_ configuration: DaemonConfiguration) throws(UnknownOwnKeys) -> PreparedConfiguration {
        let prepared = PreparedConfiguration(configuration, loadingSigningKey: false)
        guard !prepared.trustedKeys.keys.isEmpty else { throw UnknownOwnKeys(publicKeyPath: configuration.signingKey + ".pub") }
        return prepared
    }

    /// The engine's settings for `entry`, sharing `cache` (nil: no memoised contract checks).
    public func settings(for entry: DaemonConfiguration.RepositoryEntry, cache: CheckCache?) -> EngineSettings {
        var settings = EngineSettings(
            branch: entry.branch, operators: entry.operators, name: configuration.name, email: configuration.email,
            signingKey: signingKey, trustedKeys: trustedKeys, cache: cache)
        settings.statusBranch = entry.statusBranch
        settings.identityMode = entry.participantIdentity
        settings.memoryFile = configuration.memoryFile(for: entry)
        return settings
    }
}

extension DaemonConfiguration {
    /// Creates handoffd's signing key at `signing_key` (never replacing one): `handoffd key generate`, and
    /// the demo. Its public half is the line other instances and hooks list under `identity.trusted_keys`.
    @discardableResult
    public func generateSigningKey() throws(CommitSigningKey.Problem) -> CommitSigningKey {
        try CommitSigningKey.generate(at: signingKey, principal: email, stateDirectory: stateDirectory)
    }
}
