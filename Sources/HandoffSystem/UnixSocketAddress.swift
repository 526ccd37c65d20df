#if canImport(Glibc)
    public import Glibc
#elseif canImport(Darwin)
    public import Darwin
#endif

/// A Unix-domain socket address, the one place a `sockaddr_un` is filled in: the notify socket the hook
/// pokes, systemd's `$NOTIFY_SOCKET` (a leading `@` names the abstract namespace), and the tests' listeners.
public struct UnixSocketAddress: Sendable {
    private var storage = sockaddr_un()
    /// The address's length as `bind` and `sendto` take it: the family and the name (with its NUL for a path).
    public let length: socklen_t

    /// A socket file at `path`; nil when the path does not fit a `sockaddr_un`.
    public init?(path: String) {
        self.init(name: Array(path.utf8), abstract: false)
    }

    /// systemd's convention for `$NOTIFY_SOCKET`: a leading `@` names an abstract-namespace socket, anything
    /// else a socket file. Nil when the name does not fit.
    public init?(notifySocket: String) {
        var name = Array(notifySocket.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        if abstract { name[0] = 0 }
        self.init(name: name, abstract: abstract)
    }

    private init?(name: [UInt8], abstract: Bool) {
        guard !name.isEmpty, name.count < MemoryLayout.size(ofValue: storage.sun_path) else { return nil }
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { buffer in
            for (index, byte) in name.enumerated() { buffer[index] = byte }
        }
        // An abstract name is exactly its bytes (a NUL would become part of it); a path ends at its NUL.
        length = socklen_t(MemoryLayout<sa_family_t>.size + name.count + (abstract ? 0 : 1))
    }

    /// Calls `body` with the address as the socket calls take it.
    public func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Result) rethrows -> Result {
        try withUnsafePointer(to: storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    /// Binds `socket` to this address; 0 on success, -1 with `errno` set otherwise (as `bind`).
    public func bind(_ socket: Int32) -> Int32 {
        withSocketAddress { address, length in
            #if canImport(Glibc)
                Glibc.bind(socket, address, length)
            #else
                Darwin.bind(socket, address, length)
            #endif
        }
    }

    /// Sends `message` as one datagram from `socket` to this address; the byte count, or -1 (as `sendto`).
    @discardableResult
    public func send(_ message: [UInt8], from socket: Int32) -> Int {
        withSocketAddress { address, length in sendto(socket, message, message.count, 0, address, length) }
    }
}
