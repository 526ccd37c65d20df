import ArgumentParser
import Foundation
import Git
import HandoffConfiguration
import HandoffEngine

/// `handoff demo DIR`: creates the built-in demo spec repository.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create the demo spec repository (one ready packet, one draft), its people's keys and a configuration.",
        discussion: """
            Creates DIR/specs.git, a bare repository with the handoff hooks installed; DIR/keys, an SSH key for \
            each demo participant and the allowed_signers file listing them; and DIR/handoffd.yaml, a \
            configuration serving the repository with participant_identity: signature, a notify socket in DIR, and \
            the dashboard and read API on 127.0.0.1:8420 (--http-listen). handoffd publishes status to its own \
            branch, handoff/status, so that its commits never race participants' pushes (--status-branch off: \
            on main itself). Every demo commit is signed by its author's key.
            """
    )

    @Argument(help: "Folder to create the demo in; it must not hold a specs.git yet.")
    var directory: String

    @Option(help: "Where handoffd serves its dashboard and read API (http.listen: HOST:PORT or a socket path); 'off' for none.")
    var httpListen: String = HTTPListenAddress.defaultText

    @Option(help: "The branch handoffd publishes status to (status_branch); 'off' to publish on main itself.")
    var statusBranch: String = EngineSettings.defaultStatusBranch

    func validate() throws {
        if statusBranch != "off", !Reference.isValidName("refs/heads/\(statusBranch)") || statusBranch == "main" {
            throw ValidationError("'\(statusBranch)' is not a branch name handoffd can publish to (or off)")
        }
        if httpListen != "off", HTTPListenAddress(httpListen) == nil {
            throw ValidationError("'\(httpListen)' is neither HOST:PORT nor an absolute socket path (or off)")
        }
    }

    func run() throws {
        let httpListen = self.httpListen == "off" ? nil : self.httpListen
        let dashboard =
            switch httpListen.flatMap(HTTPListenAddress.init) {
            case .tcp(let host, let port)?: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
            case .unixSocket(let path)?: "unix:\(path)"
            case nil: "off (--http-listen)"
            }
        let folder = URL(fileURLWithPath: directory).standardizedFileURL
        let path = folder.appendingPathComponent("specs.git").path
        let keys = folder.appendingPathComponent("keys").path
        for existing in [path, keys] where FileManager.default.fileExists(atPath: existing) {
            throw CannotCheck("\(existing) already exists; remove it or choose another folder")
        }
        let allowedSigners = try DemoRepository.createKeys(in: keys, scratch: "\(keys)/tmp")
        let tip = try DemoRepository.create(at: path, keys: keys)
        let config = folder.appendingPathComponent("handoffd.yaml").path
        let socket = folder.appendingPathComponent("notify.sock").path
        try Data(
            DemoRepository.configuration(
                repository: path, stateDirectory: folder.appendingPathComponent("state").path,
                notifySocket: socket, allowedSigners: allowedSigners, httpListen: httpListen,
                statusBranch: statusBranch == "off" ? nil : statusBranch
            ).utf8
        )
        .write(to: URL(fileURLWithPath: config))
        // handoffd never makes its key on the way; the demo makes it, as an operator would with `handoffd key generate`.
        let daemonKey: CommitSigningKey
        do {
            daemonKey = try DaemonConfiguration.load(config).generateSigningKey()
        } catch {
            throw CannotCheck("\(error)")
        }
        _ = try HookInstall.install(repository: path, config: config, name: nil, repositoryName: "demo", socket: socket, force: false)
        print(
            """
            Created \(path) (main at \(tip.abbreviated())), with its hooks; \(keys), a key per demo participant and the
            allowed_signers file naming them; and \(config) (participant_identity: signature; status published to \
            \(statusBranch == "off" ? "main itself" : statusBranch), which handoff fetches by itself).
            Serve it:     handoffd --config \(config)            (or once: add --once)
            Dashboard:    \(dashboard)      (read API under /v1, described at /openapi.yaml)
            In another terminal, as the contractor (a commit counts only when signed by a listed key):
              git clone \(path) /tmp/handoff-demo && cd /tmp/handoff-demo
              git config user.email dev@contractors.example
              handoff signing setup --key \(keys)/dev_ed25519 --apply
              git config handoff.trustedKeys "\(daemonKey.publicKey.line)"   (handoffd's key: status commits are verified)
              handoff board
              handoff claim PAY-142 -m "starting today" --push --wait   (pushes, waits for handoffd, prints the new state)
              handoff status PAY-142
            An unsigned commit holds no role: the server's hook refuses it, and handoffd records it without effect.
            """)
    }
}
