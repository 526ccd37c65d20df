/// Where handoffd's HTTP server listens (`http.listen`): a TCP host and port, or a Unix socket path.
public enum HTTPListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A TCP address: a host name or IP literal (IPv6 in brackets in the text) and a port.
    case tcp(host: String, port: Int)
    /// A Unix stream socket at this absolute path.
    case unixSocket(path: String)

    /// The default written into new configurations: loopback only.
    public static let defaultText = "127.0.0.1:8420"

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or an absolute path; nil for anything else.
    public init?(_ text: String) {
        if text.hasPrefix("/") {
            guard text.utf8.count < 100 else { return nil }
            self = .unixSocket(path: text)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self = .tcp(host: host, port: port)
    }

    /// As written in the configuration.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): path
        }
    }
}
