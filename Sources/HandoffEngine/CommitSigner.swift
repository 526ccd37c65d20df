public import Foundation
public import Git

/// The answer to "did one of handoffd's keys sign that?": "could not check" is never the same as "no".
public enum SignatureVerdict: Sendable, Hashable {
    /// Made by a trusted key.
    case genuine
    /// Not made by a trusted key (or not a valid signature at all).
    case forged
    /// The check could not run (the signature could not be read from the repository): try again later.
    case unverifiable(String)
}

/// The public keys whose signed status commits are handoffd's own: its signing key's, and those listed in
/// `identity.trusted_keys` (a rotated key, or other instances serving the same repositories). Verifying
/// needs nothing else: no private key, no state directory, no child process, so a hook run by any user can.
public struct TrustedKeys: Sendable, Hashable {
    /// The keys.
    public var keys: Set<SSHPublicKey>

    /// Trusts `keys`.
    public init(_ keys: some Sequence<SSHPublicKey>) {
        self.keys = Set(keys)
    }

    /// Whether `signature` (git's armored signature of a commit over `payload`) was made by a trusted key, in
    /// the `git` namespace.
    public func verdict(signature: String, payload: Data) -> SignatureVerdict {
        guard let parsed = try? SSHSignature(armored: signature), parsed.namespace == "git", keys.contains(parsed.publicKey),
            parsed.verifies(payload)
        else { return .forged }
        return .genuine
    }

    /// Whether commit `id` carries a signature by a trusted key; a signature git cannot read is "could not check".
    public func verdict(ofCommit id: ObjectID, in repository: Repository) -> SignatureVerdict {
        let signature: CommitSignature?
        do {
            signature = try repository.signature(ofCommit: id)
        } catch {
            return .unverifiable("cannot read the signature of \(id.abbreviated()): \(error)")
        }
        guard let signature, signature.isSSH else { return .forged }
        return verdict(signature: signature.signature, payload: signature.signedPayload)
    }
}

/// handoffd's own SSH key: signs its status commits (git's SSH signature format). It is made only on
/// request (`handoffd key generate`), never on the way: a lost key silently replaced would make every
/// earlier status commit look forged.
public struct CommitSigningKey: Sendable {
    /// The private key file (ed25519).
    public let privateKeyPath: String
    /// Its public half, trusted by this instance.
    public let publicKey: SSHPublicKey
    /// The principal the key's `allowed_signers` line names (handoffd's email).
    public let principal: String
    /// Where ssh-keygen's files live while it runs (``ScratchFolder/base(inStateDirectory:)``), never `/tmp`:
    /// they hold payloads and signatures, and a killed process must leave them where the next start sweeps.
    public let scratchDirectory: String

    /// The `allowed_signers` file beside a key, for `git log --show-signature -c gpg.ssh.allowedSignersFile=…`.
    public static func allowedSignersPath(for keyPath: String) -> String { keyPath + ".allowed_signers" }

    /// Why the key cannot be used; each says what to do.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// No key at the configured path: it is made only by `handoffd key generate`.
        case missing(path: String)
        /// The key exists but cannot be read or used.
        case unusable(path: String, SSHKeygen.Problem)
        /// `handoffd key generate` found a key already there.
        case exists(path: String)

        public var description: String {
            switch self {
            case .missing(let path):
                "no signing key at \(path): create it once with `handoffd key generate --config FILE` (handoffd never makes one "
                    + "on its own: a new key would disown every status commit the old one signed), or restore the lost key"
            case .unusable(let path, let problem): "the signing key \(path) cannot be used: \(problem)"
            case .exists(let path): "\(path) already exists; handoffd keeps its key (remove the file first to replace it)"
            }
        }
    }

    /// Uses the existing key at `path`; never creates one. ssh-keygen's files go under `stateDirectory`.
    public static func load(at path: String, principal: String, stateDirectory: String) throws(Problem) -> CommitSigningKey {
        let scratch = ScratchFolder.base(inStateDirectory: stateDirectory)
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unusable(path: path, .failed(operation: "read \(path)", detail: "not readable by this user"))
        }
        do {
            let key = try SSHKeygen.publicKey(of: path, scratch: scratch)
            return CommitSigningKey(privateKeyPath: path, publicKey: key, principal: principal, scratchDirectory: scratch)
        } catch {
            throw .unusable(path: path, error)
        }
    }

    /// Creates a new ed25519 key at `path` (refusing to replace one) and its `allowed_signers` file beside it.
    public static func generate(at path: String, principal: String, stateDirectory: String) throws(Problem) -> CommitSigningKey {
        let scratch = ScratchFolder.base(inStateDirectory: stateDirectory)
        guard !FileManager.default.fileExists(atPath: path) else { throw .exists(path: path) }
        let key: SSHPublicKey
        do {
            key = try SSHKeygen.generate(at: path, comment: principal, scratch: scratch)
        } catch {
            throw .unusable(path: path, error)
        }
        let made = CommitSigningKey(privateKeyPath: path, publicKey: key, principal: principal, scratchDirectory: scratch)
        do {
            try Data(made.allowedSignersLine.utf8).write(to: URL(fileURLWithPath: allowedSignersPath(for: path)))
        } catch {
            throw .unusable(path: path, .failed(operation: "write \(allowedSignersPath(for: path))", detail: "\(error)"))
        }
        return made
    }

    /// The key's line in git's `allowed_signers` format, for verifying handoffd's commits with git.
    public var allowedSignersLine: String { "\(principal) namespaces=\"git\" \(publicKey.line)\n" }

    /// An armored SSH signature of `payload` in the `git` namespace, as `git commit -S` with gpg.format=ssh makes.
    public func sign(_ payload: String) throws -> String {
        try SSHKeygen.sign(payload, key: privateKeyPath, scratch: scratchDirectory)
    }
}
