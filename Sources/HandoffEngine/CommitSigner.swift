import Foundation

/// The answer to "did this key sign that?": "could not check" is never the same as "no".
public enum SignatureVerdict: Sendable, Hashable {
    /// Made by the key.
    case genuine
    /// Not made by the key (or not a valid signature at all).
    case forged
    /// The check could not run (ssh-keygen missing or failing to start, scratch folder unwritable): try again later.
    case unverifiable(String)
}

/// handoffd's own SSH key: signs its status commits (git's SSH signature format) and verifies that a
/// commit claiming to be handoffd's really is, so a forged commit cannot move the watermark.
public struct CommitSigningKey: Sendable {
    /// The private key file (ed25519).
    public let privateKeyPath: String
    /// The `allowed_signers` file naming the key's principal, for `ssh-keygen -Y verify` and `git log --show-signature`.
    public let allowedSignersPath: String
    /// The principal the allowed_signers file names.
    public let principal: String
    /// Where ssh-keygen's files live while it runs (``ScratchFolder/base(inStateDirectory:)``), never `/tmp`:
    /// they hold payloads and signatures, and a killed process must leave them where the next start sweeps.
    public let scratchDirectory: String

    static let keygen = "/usr/bin/ssh-keygen"

    /// Why the key cannot be used.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        /// What went wrong and what to do.
        public var description: String
    }

    /// Uses the key at `path`, generating an ed25519 key there first when none exists, and writes
    /// `allowed_signers` beside it for `principal`. ssh-keygen's files go under `stateDirectory`.
    public static func prepare(at path: String, principal: String, stateDirectory: String) throws(Problem) -> CommitSigningKey {
        let scratch = ScratchFolder.base(inStateDirectory: stateDirectory)
        guard FileManager.default.isExecutableFile(atPath: keygen) else {
            throw Problem(description: "\(keygen) is missing: install openssh-client (handoffd signs its commits with ssh-keygen)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let signers = path + ".allowed_signers"
            // Already prepared for this principal: no ssh-keygen run (hooks start often and must be quick).
            func modified(_ file: String) -> Date? {
                (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
            }
            if let keyDate = modified(path), let signersDate = modified(signers), signersDate >= keyDate,
                let existing = FileManager.default.contents(atPath: signers),
                String(decoding: existing, as: UTF8.self).hasPrefix("\(principal) namespaces=\"git\" ")
            {
                return CommitSigningKey(privateKeyPath: path, allowedSignersPath: signers, principal: principal, scratchDirectory: scratch)
            }
            if !FileManager.default.fileExists(atPath: path) {
                let made = try ProgramRunner.run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", path], scratch: scratch)
                guard made.status == 0 else { throw Problem(description: "ssh-keygen could not create \(path): \(made.stderr)") }
            }
            let derived = try ProgramRunner.run(keygen, ["-y", "-f", path], scratch: scratch)
            guard derived.status == 0 else { throw Problem(description: "cannot read the signing key \(path): \(derived.stderr)") }
            let publicKey = String(decoding: derived.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            try Data("\(principal) namespaces=\"git\" \(publicKey)\n".utf8).write(to: URL(fileURLWithPath: signers))
            return CommitSigningKey(privateKeyPath: path, allowedSignersPath: signers, principal: principal, scratchDirectory: scratch)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "cannot prepare the signing key \(path): \(error)")
        }
    }

    /// An armored SSH signature of `payload` in the `git` namespace, as `git commit -S` with gpg.format=ssh makes.
    public func sign(_ payload: String) throws -> String {
        let signed = try ProgramRunner.run(
            Self.keygen, ["-Y", "sign", "-q", "-f", privateKeyPath, "-n", "git"], input: Data(payload.utf8),
            scratch: scratchDirectory)
        guard signed.status == 0 else { throw Problem(description: "ssh-keygen could not sign: \(signed.stderr)") }
        return String(decoding: signed.stdout, as: UTF8.self)
    }

    /// True when `signature` over `payload` was made by this key.
    public func verify(signature: String, payload: String) -> Bool {
        verdict(signature: signature, payload: payload) == .genuine
    }

    /// Whether `signature` over `payload` was made by this key, or could not be checked at all.
    public func verdict(signature: String, payload: String) -> SignatureVerdict {
        let checked: ProgramRunner.Output
        do {
            checked = try ProgramRunner.run(
                Self.keygen, ["-Y", "verify", "-f", allowedSignersPath, "-I", principal, "-n", "git", "-s", "{signature}"],
                input: Data(payload.utf8), files: ["signature": Data(signature.utf8)], scratch: scratchDirectory)
        } catch {
            return .unverifiable("\(error)")
        }
        return checked.status == 0 ? .genuine : .forged
    }
}
