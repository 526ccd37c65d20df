import Foundation
import HandoffSystem

/// A real `sshd` on 127.0.0.1 for one test: its own host key, config and authorized key; stopped by its pid.
///
/// Needs root (sshd switches to the logged-in user) and openssh-server; `isAvailable` tells tests to skip.
public final class SSHServer {
    /// The listening port on 127.0.0.1.
    public let port: UInt16
    /// The host key's base64 field, as a `known_hosts` line would carry it.
    public let hostKey: String
    /// The client's private key file, authorized for `user`.
    public let clientKey: String
    /// The user to log in as.
    public let user: String
    private let child: ChildProcess

    /// True when sshd and ssh-keygen exist and this process is root.
    public static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
    }

    /// Starts sshd with files under `folder`.
    public init(folder: String) throws {
        user = "root"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // sshd refuses to start without its privilege-separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let hostKeyFile = "\(folder)/host_ed25519"
        clientKey = "\(folder)/client_ed25519"
        for key in [hostKeyFile, clientKey] {
            let made = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "handoff-test", "-f", key])
            guard made.status == 0 else { throw CommandFailed(command: ["ssh-keygen", key], result: made) }
        }
        hostKey = try Self.keyField(of: hostKeyFile + ".pub")
        let authorized = "\(folder)/authorized_keys"
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: authorized)
        // A port found free can be taken by a parallel test before sshd binds it; sshd then exits at once
        // and the next attempt asks for a fresh port.
        var attempt = 0
        while true {
            attempt += 1
            let port = try GitDaemon.freeLoopbackPort()
            let config = """
                ListenAddress 127.0.0.1
                Port \(port)
                HostKey \(hostKeyFile)
                AuthorizedKeysFile \(authorized)
                PidFile \(folder)/sshd.pid
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                StrictModes no
                UsePAM no
                LogLevel ERROR

                """
            try Data(config.utf8).write(to: URL(fileURLWithPath: "\(folder)/sshd_config"))
            let child = try ChildProcess(
                "/usr/sbin/sshd", ["-D", "-e", "-f", "\(folder)/sshd_config"],
                stderr: "\(folder)/sshd.log")
            let deadline = Date().addingTimeInterval(10)
            // sshd binds before it writes its pid file, so the file says the port is ours, not a neighbour's.
            while child.isRunning(), Date() < deadline,
                !(FileManager.default.fileExists(atPath: "\(folder)/sshd.pid") && GitDaemon.canConnect(port: port))
            {
                usleep(20_000)
            }
            if child.isRunning(), Date() < deadline {
                self.port = port
                self.child = child
                return
            }
            let exited = !child.isRunning()
            if !exited {
                kill(child.pid, SIGTERM)
                _ = child.wait()
            }
            if exited, attempt < 5 { continue }
            let log = (try? String(contentsOfFile: "\(folder)/sshd.log", encoding: .utf8)) ?? ""
            throw GitDaemon.DaemonError("sshd did not listen on 127.0.0.1:\(port): \(log)")
        }
    }

    /// The ssh:// URL of the repository at absolute `path`.
    public func url(_ path: String) -> String { "ssh://\(user)@127.0.0.1:\(port)\(path)" }

    /// Stops sshd by its own process id and reaps it.
    public func stop() {
        guard child.isRunning() else { return }
        kill(child.pid, SIGTERM)
        _ = child.wait()
    }

    deinit { stop() }

    private static func keyField(of publicKeyFile: String) throws -> String {
        let line = try String(contentsOfFile: publicKeyFile, encoding: .utf8)
        let fields = line.split(separator: " ")
        guard fields.count >= 2 else { throw GitDaemon.DaemonError("unreadable public key \(publicKeyFile)") }
        return String(fields[1])
    }
}
