import Foundation
import Git
import HandoffConfiguration
import HandoffEngine

/// Where an ssh URL points: host and port, as `known_hosts` names them.
struct SSHEndpoint: Equatable {
    var host: String
    var port: Int?

    /// Parses `ssh://[user@]host[:port]/path` and scp-like `[user@]host:path`; nil for other URLs.
    init?(url: String) {
        var rest: Substring
        if url.hasPrefix("ssh://") {
            rest = url.dropFirst(6)
            rest = rest.prefix { $0 != "/" }
            if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                port = after.hasPrefix(":") ? Int(after.dropFirst()) : nil
            } else if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                port = Int(rest[rest.index(after: colon)...])
            } else {
                host = String(rest)
            }
        } else if !url.contains("://"), let colon = url.firstIndex(of: ":") {
            rest = url[..<colon]
            if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
            host = String(rest)
        } else {
            return nil
        }
        guard !host.isEmpty else { return nil }
    }

    /// The name `known_hosts` uses: `host`, or `[host]:port` for a port other than 22.
    var knownHostsName: String { port.map { $0 == 22 ? host : "[\(host)]:\($0)" } ?? host }
}

/// The keys a `known_hosts` file lists for one host (the base64 key field of each matching line).
enum KnownHosts {
    /// Keys for `endpoint` in `text`; hashed (`|1|…`) and `@`-marked lines are not read.
    static func keys(for endpoint: SSHEndpoint, in text: String) -> [String] {
        var keys: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@"), !fields[0].hasPrefix("|") else { continue }
            let names = fields[0].split(separator: ",").map(String.init)
            if names.contains(endpoint.knownHostsName) { keys.append(String(fields[2])) }
        }
        return keys
    }
}

extension DaemonConfiguration.RemoteCredentials {
    /// libgit2 options for talking to `url`: the configured key (or the ssh agent), pinned host keys from
    /// `known_hosts`, or a user and password for https. Files are read at each run, so rotating a key or
    /// token needs no reload.
    func options(for url: String) throws(ProcessingError) -> RemoteOptions {
        var options = RemoteOptions()
        if let endpoint = SSHEndpoint(url: url) {
            let user = sshUser ?? "git"
            if let key = sshKey {
                guard FileManager.default.isReadableFile(atPath: key) else {
                    throw .stalled(.credentials("ssh_key \(key) is missing or not readable by this user"))
                }
                let publicKey = FileManager.default.fileExists(atPath: key + ".pub") ? key + ".pub" : nil
                options.credentials = .sshKey(username: user, privateKeyPath: key, publicKeyPath: publicKey)
            } else if ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] != nil {
                options.credentials = .sshAgent(username: user)
            }
            if let file = knownHosts {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw .stalled(.credentials("known_hosts \(file) is missing or not readable by this user"))
                }
                let keys = KnownHosts.keys(for: endpoint, in: String(decoding: data.prefix(1 << 20), as: UTF8.self))
                guard !keys.isEmpty else {
                    throw .stalled(
                        .credentials(
                            "known_hosts \(file) has no key for \(endpoint.knownHostsName); add one with "
                                + "`ssh-keyscan\(endpoint.port.map { " -p \($0)" } ?? "") \(endpoint.host) >> \(file)` "
                                + "(hashed entries, written by -H, are not read)"))
                }
                options.hostKeys = .trustedKeys(keys)
            }
        } else if let username, let file = passwordFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .stalled(.credentials("password_file \(file) is missing or not readable by this user"))
            }
            let password = String(decoding: data.prefix(64 << 10), as: UTF8.self).trimmingCharacters(in: .newlines)
            options.credentials = .userPassword(username: username, password: password)
        }
        return options
    }
}
