import ArgumentParser
import Foundation
import HandoffConfiguration
import HandoffEngine

/// `handoffd key generate|show`: handoffd's signing key is made on request only, never on the way.
struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create or show handoffd's signing key (identity.signing_key).",
        discussion: """
            handoffd signs every status commit with its key and trusts as its own only commits signed by it or \
            by a key under identity.trusted_keys. It never creates a key by itself: a lost key silently replaced \
            would disown every earlier status commit. A missing key stalls each repository until one is made \
            (or restored) and handoffd is reloaded.
            """,
        subcommands: [KeyGenerate.self, KeyShow.self]
    )

    @ParentCommand var handoffd: Handoffd
}

extension Key {
    /// The configuration named by handoffd's own `--config` (which the parser hands to the root command).
    func load() throws -> DaemonConfiguration {
        do {
            return try DaemonConfiguration.load(handoffd.config)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// `handoffd key generate --config FILE`.
struct KeyGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Create handoffd's ed25519 signing key at identity.signing_key; an existing key is kept.")

    @ParentCommand var key: Key

    func run() throws {
        let configuration = try key.load()
        let key: CommitSigningKey
        do {
            key = try configuration.generateSigningKey()
        } catch {
            FileHandle.standardError.write(Data("handoffd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(
            """
            Created handoffd's signing key \(key.privateKeyPath) (\(key.publicKey.fingerprint)).
            Its public key, for identity.trusted_keys of other instances serving these repositories, and of this
            configuration where the pre-receive hook runs as a user who cannot read \(key.privateKeyPath).pub:
              \(key.publicKey.line) \(key.principal)
            Verify handoffd's commits with git:
              git -c gpg.ssh.allowedSignersFile=\(CommitSigningKey.allowedSignersPath(for: key.privateKeyPath)) log --show-signature
            Reload a running handoffd (systemctl reload handoffd) so that repositories stalled on the missing key resume.
            """)
    }
}

/// `handoffd key show --config FILE`: the public key line alone, for scripts.
struct KeyShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the public key line of handoffd's signing key (for identity.trusted_keys).")

    @ParentCommand var key: Key

    func run() throws {
        let configuration = try key.load()
        do {
            let key = try CommitSigningKey.load(
                at: configuration.signingKey, principal: configuration.email, stateDirectory: configuration.stateDirectory)
            print("\(key.publicKey.line) \(key.principal)")
        } catch {
            FileHandle.standardError.write(Data("handoffd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
