import Dispatch
import Foundation
import HandoffSystem
import Synchronization

/// The Unix datagram socket the post-receive hook pokes: each datagram names a repository (empty: all).
///
/// Anyone on the machine may write to it, so what it lets through is rate-limited and what it drops is
/// reported in aggregate (``NotifyIntake``).
final class NotifySocket: Sendable {
    private let fd: Int32
    // Dispatch sources are not Sendable; the mutex is the only way to reach these.
    private let source: Mutex<(any DispatchSourceRead)?>
    private let flush: Mutex<(any DispatchSourceTimer)?>
    private let queue: DispatchQueue
    private let summariseAll: @Sendable () -> Void
    let path: String

    /// Binds `path` (replacing a stale socket file) and calls `poke` with each admitted datagram's text;
    /// `poke` says whether the name was a served repository. `report` receives the summaries of what was
    /// dropped or unknown, read on `clock`.
    init(
        path: String, intake: NotifyIntake = NotifyIntake(), clock: @escaping @Sendable () -> MonotonicInstant = { MonotonicInstant(.now()) },
        poke: @escaping @Sendable (String) -> Bool, report: @escaping @Sendable (NotifyIntake.Summary) -> Void
    ) throws {
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
        let state = Mutex(intake)
        let queue = DispatchQueue(label: "handoffd.notify")
        let summarise: @Sendable (Bool) -> Void = { final in
            if let summary = state.withLock({ $0.summary(at: clock(), final: final) }) { report(summary) }
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 512)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count < 0 { break }
                // Read and dropped, not left queued: a full socket buffer would also drop the hook's pokes.
                guard state.withLock({ $0.admit(at: clock()) }) else { continue }
                let name = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if !poke(name) { state.withLock { $0.unknownRepository(name, at: clock()) } }
            }
            summarise(false)
        }
        source.setCancelHandler { Glibc.close(descriptor) }
        // What a flood left pending is reported when it ends, not only when the next datagram comes.
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + intake.window, repeating: intake.window)
        timer.setEventHandler { summarise(false) }
        source.resume()
        timer.resume()
        self.fd = fd
        self.source = Mutex(source)
        self.flush = Mutex(timer)
        self.queue = queue
        self.summariseAll = { summarise(true) }
    }

    /// Stops reading, reports what is still pending, and removes the socket file.
    func shutdown() {
        flush.withLock { $0?.cancel() }
        source.withLock { $0?.cancel() }
        queue.sync(execute: summariseAll)
        unlink(path)
    }
}

/// A daemon failure with its reason.
struct DaemonError: Error, CustomStringConvertible {
    var description: String
}
