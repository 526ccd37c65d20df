import Crypto
public import Foundation

/// An SSH signature in the `SSHSIG` format (OpenSSH's PROTOCOL.sshsig), as git writes with `gpg.format=ssh`,
/// verified in process: Ed25519 over the namespace, the hash algorithm and the message's hash. No child
/// process, so every folded commit can be checked (ssh-keygen costs a few milliseconds each).
public struct SSHSignature: Sendable, Hashable {
    /// The signer's public key as `known_hosts` and `allowed_signers` write it: type and base64 blob.
    public var publicKey: SSHPublicKey
    /// What the signature is for; git signs commits in the `git` namespace.
    public var namespace: String
    let hashAlgorithm: String
    let signature: Data

    /// Why an armored signature cannot be used.
    public enum Problem: Error, Hashable, Sendable {
        /// Not an `SSH SIGNATURE` armour, or not the SSHSIG layout.
        case malformed
        /// A key or signature type other than ssh-ed25519, or a hash other than sha256/sha512.
        case unsupported
    }

    /// Parses an armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    public init(armored text: String) throws(Problem) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN SSH SIGNATURE-----"),
            let end = lines.firstIndex(of: "-----END SSH SIGNATURE-----"), begin < end,
            let blob = Data(base64Encoded: lines[(begin + 1)..<end].joined())
        else { throw .malformed }
        var reader = SSHWireReader(blob)
        guard reader.bytes(6) == Data("SSHSIG".utf8), reader.uint32() == 1,
            let key = reader.string(), let namespace = reader.string(), reader.string() != nil,
            let hash = reader.string(), let signature = reader.string(), reader.isAtEnd
        else { throw .malformed }
        var keyReader = SSHWireReader(key)
        var signatureReader = SSHWireReader(signature)
        guard keyReader.string() == Data("ssh-ed25519".utf8), let raw = keyReader.string(), raw.count == 32, keyReader.isAtEnd,
            signatureReader.string() == Data("ssh-ed25519".utf8), let bytes = signatureReader.string(), bytes.count == 64,
            signatureReader.isAtEnd, ["sha256", "sha512"].contains(String(decoding: hash, as: UTF8.self))
        else { throw .unsupported }
        publicKey = SSHPublicKey(type: "ssh-ed25519", blob: key)
        self.namespace = String(decoding: namespace, as: UTF8.self)
        hashAlgorithm = String(decoding: hash, as: UTF8.self)
        self.signature = bytes
    }

    /// Whether the signature over `message` verifies against its own key (who that key belongs to is
    /// ``AllowedSigners``' question).
    public func verifies(_ message: Data) -> Bool {
        var keyReader = SSHWireReader(publicKey.blob)
        _ = keyReader.string()
        guard let raw = keyReader.string(), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        let digest = hashAlgorithm == "sha256" ? Data(SHA256.hash(data: message)) : Data(SHA512.hash(data: message))
        var signed = Data("SSHSIG".utf8)
        for field in [Data(namespace.utf8), Data(), Data(hashAlgorithm.utf8), digest] {
            signed.append(contentsOf: withUnsafeBytes(of: UInt32(field.count).bigEndian) { Array($0) })
            signed.append(field)
        }
        return key.isValidSignature(signature, for: signed)
    }
}

/// An SSH public key: its type name and its wire-format blob.
public struct SSHPublicKey: Sendable, Hashable {
    /// `ssh-ed25519`, `ssh-rsa`, …
    public var type: String
    /// The key in SSH wire format (what the base64 field of a key line holds).
    public var blob: Data

    /// Creates a key from its parts.
    public init(type: String, blob: Data) {
        self.type = type
        self.blob = blob
    }

    /// The `type base64` form of `authorized_keys` and `allowed_signers`.
    public var line: String { "\(type) \(blob.base64EncodedString())" }

    /// OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}

/// Reads SSH wire-format fields (RFC 4251): big-endian uint32s and length-prefixed strings.
struct SSHWireReader {
    private let data: Data
    private var offset: Int

    init(_ data: Data) {
        self.data = Data(data)
        offset = 0
    }

    var isAtEnd: Bool { offset == data.count }

    mutating func bytes(_ count: Int) -> Data? {
        guard count >= 0, data.count - offset >= count else { return nil }
        defer { offset += count }
        return data.subdata(in: offset..<(offset + count))
    }

    mutating func uint32() -> UInt32? {
        bytes(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
    }

    mutating func string() -> Data? {
        guard let length = uint32(), length <= 1 << 20 else { return nil }
        return bytes(Int(length))
    }
}
