import Foundation
import HandoffSystem

/// A TCP server on 127.0.0.1 that never says a word: the remote that hangs a client without a deadline.
/// A Python child (installed with the test dependencies), stopped by its own pid.
public final class SilentServer {
    /// How the server is silent.
    public enum Behaviour: String, Sendable {
        /// Accepts every connection and holds it open without writing (a wedged server, a silent ssh).
        case acceptsAndHolds = "accept"
        /// Never completes a connection: its accept queue is full, so the kernel drops new SYNs (a
        /// black-holed host).
        case neverConnects = "backlog"
    }

    /// The port it listens on.
    public let port: UInt16
    private let child: ChildProcess

    /// A git:// URL on this server.
    public var gitURL: String { "git://127.0.0.1:\(port)/specs.git" }
    /// An ssh:// URL on this server.
    public var sshURL: String { "ssh://git@127.0.0.1:\(port)/specs.git" }

    /// Starts the server; `scratch` is a folder the caller owns, for the script and its port file. `port`
    /// nil takes a free one; a given port lets it take the place of a server that answered there before.
    public init(_ behaviour: Behaviour, scratch: String, port: UInt16? = nil) throws {
        let script = "\(scratch)/silent-server.py", portFile = "\(scratch)/silent-\(behaviour.rawValue).port"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: portFile)
        child = try ChildProcess("python3", [script, behaviour.rawValue, portFile, String(port ?? 0)])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), text.hasSuffix("\n"),
                let port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                self.port = port
                return
            }
            guard child.isRunning() else { break }
            usleep(20_000)
        }
        kill(child.pid, SIGKILL)
        _ = child.wait()
        throw GitDaemon.DaemonError("the silent server did not start within 10 s (is python3 installed?)")
    }

    /// Stops the server by its own pid and reaps it.
    public func stop() {
        guard child.isRunning() else { return }
        kill(child.pid, SIGKILL)
        _ = child.wait()
    }

    deinit { stop() }

    private static let script = """
        import socket, sys, time
        behaviour, port_file = sys.argv[1], sys.argv[2]
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", int(sys.argv[3])))
        port = server.getsockname()[1]
        held = []
        if behaviour == "backlog":
            # A backlog of 0 holds one established connection; once it is queued (never accepted) the
            # kernel drops every later SYN, so later connects stay in SYN_SENT.
            server.listen(0)
            for _ in range(3):
                filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                filler.setblocking(False)
                try:
                    filler.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
                held.append(filler)
            time.sleep(0.3)
        else:
            server.listen(64)
        with open(port_file + ".tmp", "w") as f:
            f.write(f"{port}\\n")
        import os
        os.rename(port_file + ".tmp", port_file)
        while True:
            if behaviour == "backlog":
                time.sleep(3600)
            else:
                connection, _ = server.accept()
                held.append(connection)
        """
}
