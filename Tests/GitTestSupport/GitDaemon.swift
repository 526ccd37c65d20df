public import Foundation
import HandoffSystem

/// A real `git daemon` serving a folder on 127.0.0.1 only, with pushes enabled; stopped by its own pid.
public final class GitDaemon {
    public let port: UInt16
    public let basePath: String
    private let child: ChildProcess

    /// The git:// URL of repository `name` under the base path.
    public func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    /// Serves `basePath` on `port`, or on a free loopback port when nil (a given port lets a test restart
    /// the server, or put another in its place, at the same URL).
    public init(serving basePath: String, environment: [String: String], port: UInt16? = nil) throws {
        self.basePath = basePath
        // git-daemon itself, not `git daemon`: the wrapper would be the pid we hold, not the server.
        let execPath = try runProcess("/usr/bin/git", ["--exec-path"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let log = NSTemporaryDirectory() + "git-daemon-\(UUID().uuidString).log"
        defer { unlink(log) }
        // A port found free can be taken by a parallel test before git-daemon binds it: then it exits at
        // once ("Address already in use"), and a fresh port is asked for, unless the test chose the port.
        var attempt = 0
        while true {
            attempt += 1
            let chosen = try port ?? Self.freeLoopbackPort()
            let child = try ChildProcess(
                "\(execPath)/git-daemon",
                [
                    "--reuseaddr", "--listen=127.0.0.1", "--port=\(chosen)", "--base-path=\(basePath)",
                    "--export-all", "--enable=receive-pack", "--informative-errors", "--verbose",
                    "--log-destination=stderr", basePath,
                ],
                environment: environment, stderr: log)
            switch Self.waitUntilListening(child, port: chosen, log: log) {
            case .listening:
                self.port = chosen
                self.child = child
                return
            case .exited where port == nil && attempt < 5:
                continue
            case .exited:
                let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw DaemonError("git daemon exited during start-up on port \(chosen): \(said)")
            case .silent:
                kill(child.pid, SIGTERM)
                _ = child.wait()
                throw DaemonError("git daemon did not listen on 127.0.0.1:\(chosen) within 10 s")
            }
        }
    }

    /// Stops the daemon by its own process id and reaps it.
    public func stop() {
        guard child.isRunning() else { return }
        kill(child.pid, SIGTERM)
        _ = child.wait()
    }

    deinit { stop() }

    private enum StartUp { case listening, exited, silent }

    /// Listening is what git-daemon says once it has bound its port ("Ready to rumble"): a connection alone
    /// could reach whichever process took the port first.
    private static func waitUntilListening(_ child: ChildProcess, port: UInt16, log: String) -> StartUp {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !child.isRunning() { return .exited }
            if let said = try? String(contentsOfFile: log, encoding: .utf8), said.contains("Ready to rumble") {
                return .listening
            }
            usleep(20_000)
        }
        return .silent
    }

    public struct DaemonError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Asks the kernel for an unused loopback port by binding port 0, then releases it.
    public static func freeLoopbackPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonError("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw DaemonError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    public static func canConnect(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    public static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
