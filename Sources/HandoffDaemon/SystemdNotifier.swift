import Foundation
import HandoffSystem

/// sd_notify without libsystemd: one datagram to `$NOTIFY_SOCKET` per message (`@` = abstract namespace).
///
/// Does nothing when handoffd does not run under systemd (no `NOTIFY_SOCKET`).
public struct SystemdNotifier: Sendable {
    /// The socket path, or nil when not under systemd.
    public let socketPath: String?
    /// The watchdog interval systemd asked for, in seconds (half of `WATCHDOG_USEC`), or nil.
    public let watchdogInterval: Double?

    /// Reads `NOTIFY_SOCKET` and `WATCHDOG_USEC` from the process environment.
    public init() {
        self.init(environment: ProcessInfo.processInfo.environment)
    }

    /// Reads `NOTIFY_SOCKET` and `WATCHDOG_USEC` from `environment`.
    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        watchdogInterval = environment["WATCHDOG_USEC"].flatMap { Double($0) }.map { $0 / 2_000_000 }
    }

    /// Sends `state` (e.g. `READY=1\nSTATUS=serving 3 repositories`); failures are ignored, as sd_notify does.
    public func notify(_ state: String) {
        guard let socketPath, let address = UnixSocketAddress(notifySocket: socketPath) else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        address.send(Array(state.utf8), from: fd)
    }
}
