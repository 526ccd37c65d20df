import Dispatch
import Foundation
import HandoffSystem
import Synchronization

/// The Unix datagram socket the post-receive hook pokes: each datagram names a repository (empty: all).
final class NotifySocket: Sendable {
    private let fd: Int32
    // Dispatch sources are not Sendable; the mutex is the only way to reach this one.
    private let source: Mutex<(any DispatchSourceRead)?>
    let path: String

    /// Binds `path` (replacing a stale socket file) and calls `poke` with each datagram's text.
    init(path: String, poke: @escaping @Sendable (String) -> Void) throws {
        guard let address = UnixSocketAddress(path: path) else {
            throw DaemonError(description: "notify socket path \(path) is too long")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonError(description: "cannot create the notify socket: \(String(cString: strerror(errno)))") }
        guard address.bind(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw DaemonError(description: "cannot bind the notify socket \(path): \(reason)")
        }
        // The hook runs as the git server's user: let it write.
        chmod(path, 0o666)
        self.path = path
        let descriptor = fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "handoffd.notify"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 512)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count < 0 { break }
                poke(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        source.setCancelHandler { Glibc.close(descriptor) }
        source.resume()
        self.fd = fd
        self.source = Mutex(source)
    }

    func shutdown() {
        source.withLock { $0?.cancel() }
        unlink(path)
    }
}

/// A daemon failure with its reason.
struct DaemonError: Error, CustomStringConvertible {
    var description: String
}
