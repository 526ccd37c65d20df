import Foundation

/// ssh-keygen, for what handoff does not do in process: creating key pairs, and signing (a private key may
/// be passphrase-protected or live in an agent). Verifying needs no child process: see ``SSHSignature``.
public enum SSHKeygen {
    /// Where Debian's openssh-client installs it; never looked up on `PATH`, which a hook's caller controls.
    static let program = "/usr/bin/ssh-keygen"

    /// Why a key could not be made, read or used.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// ssh-keygen is not installed.
        case missingProgram
        /// A key already exists where a new one was asked for.
        case keyExists(path: String)
        /// No key file at the path.
        case noKey(path: String)
        /// A public key file that does not hold a `type base64` line.
        case notAPublicKey(path: String)
        /// ssh-keygen ran and failed (or could not be started).
        case failed(operation: String, detail: String)

        public var description: String {
            switch self {
            case .missingProgram: "\(SSHKeygen.program) is missing: install openssh-client"
            case .keyExists(let path): "\(path) already exists; remove it first to replace the key"
            case .noKey(let path): "no key at \(path)"
            case .notAPublicKey(let path): "\(path) does not hold an SSH public key (a line 'ssh-ed25519 AAAA…')"
            case .failed(let operation, let detail):
                "ssh-keygen could not \(operation): \(detail.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
        }
    }

    /// Creates an unencrypted ed25519 key pair at `path` (and `path.pub`); never replaces an existing key.
    public static func generate(at path: String, comment: String, scratch: String) throws(Problem) -> SSHPublicKey {
        guard !FileManager.default.fileExists(atPath: path) else { throw .keyExists(path: path) }
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .failed(operation: "create \(folder)", detail: "\(error)")
        }
        _ = try run(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], operation: "create \(path)", scratch: scratch)
        return try publicKey(of: path, scratch: scratch)
    }

    /// The public half of the key at `path`: `path` itself when it is a public key, else `path.pub`, else
    /// derived from the private key.
    public static func publicKey(of path: String, scratch: String) throws(Problem) -> SSHPublicKey {
        for candidate in [path, path + ".pub"] {
            guard let data = FileManager.default.contents(atPath: candidate), data.count < 64 << 10 else { continue }
            if let key = SSHPublicKey(line: String(decoding: data, as: UTF8.self)) { return key }
            if candidate.hasSuffix(".pub") { throw .notAPublicKey(path: candidate) }
        }
        guard FileManager.default.fileExists(atPath: path) else { throw .noKey(path: path) }
        let derived = try run(["-y", "-f", path], operation: "read \(path)", scratch: scratch)
        guard let key = SSHPublicKey(line: String(decoding: derived, as: UTF8.self)) else { throw .notAPublicKey(path: path) }
        return key
    }

    /// An armored SSH signature of `payload` in the `git` namespace, as `git commit -S` with `gpg.format=ssh`
    /// makes: by the private key at `key`, or by the agent holding the private half of the public key there.
    public static func sign(_ payload: String, key: String, scratch: String, environment: [String: String] = [:]) throws(Problem) -> String {
        guard FileManager.default.fileExists(atPath: key) else { throw .noKey(path: key) }
        let signed = try run(
            ["-Y", "sign", "-q", "-f", key, "-n", "git"], operation: "sign with \(key)", input: Data(payload.utf8),
            environment: environment, scratch: scratch)
        return String(decoding: signed, as: UTF8.self)
    }

    private static func run(
        _ arguments: [String], operation: String, input: Data = Data(), environment: [String: String] = [:], scratch: String
    ) throws(Problem) -> Data {
        guard FileManager.default.isExecutableFile(atPath: program) else { throw .missingProgram }
        let output: ProgramRunner.Output
        do {
            output = try ProgramRunner.run(program, arguments, input: input, environment: environment, scratch: scratch)
        } catch {
            throw .failed(operation: operation, detail: "\(error)")
        }
        guard output.status == 0 else { throw .failed(operation: operation, detail: output.stderr) }
        return output.stdout
    }
}

extension SSHPublicKey {
    /// Whether `field` names an SSH key type (`ssh-ed25519`, `ecdsa-sha2-…`, `sk-…`): how key lines and
    /// `allowed_signers` lines tell the key from the principals and options before it.
    static func isKeyType(_ field: some StringProtocol) -> Bool {
        field.hasPrefix("ssh-") || field.hasPrefix("ecdsa-") || field.hasPrefix("sk-")
    }

    /// Reads a key line as `.pub` files, `authorized_keys` and configuration write it: `type base64 [comment]`.
    public init?(line: String) {
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, Self.isKeyType(fields[0]),
            let blob = Data(base64Encoded: String(fields[1]))
        else { return nil }
        // The blob names its own type first: a line whose two disagree is not a key.
        var reader = SSHWireReader(blob)
        guard reader.string() == Data(fields[0].utf8) else { return nil }
        self.init(type: String(fields[0]), blob: blob)
    }
}
