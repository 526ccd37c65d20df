import ArgumentParser
import Foundation
import Git
import HandoffEngine

/// `handoff demo DIR`: creates the built-in demo spec repository.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the demo spec repository (one ready packet, one draft).",
        discussion: """
            Creates DIR/specs.git, a bare repository with the handoff hooks installed, and DIR/handoffd.yaml, \
            a configuration serving it with a notify socket in DIR.
            """
    )

    @Argument(help: "Folder to create the demo in; it must not hold a specs.git yet.")
    var directory: String

    func run() throws {
        let folder = URL(fileURLWithPath: directory).standardizedFileURL
        let path = folder.appendingPathComponent("specs.git").path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CannotCheck("\(path) already exists; remove it or choose another folder")
        }
        let tip = try DemoRepository.create(at: path)
        let config = folder.appendingPathComponent("handoffd.yaml").path
        let socket = folder.appendingPathComponent("notify.sock").path
        try Data(
            DemoRepository.configuration(
                repository: path, stateDirectory: folder.appendingPathComponent("state").path,
                notifySocket: socket
            ).utf8
        )
        .write(to: URL(fileURLWithPath: config))
        _ = try HookInstall.install(repository: path, config: config, name: nil, repositoryName: "demo", socket: socket, force: false)
        print(
            """
            Created \(path) (main at \(tip.abbreviated())), with its hooks, and \(config).
            Serve it:     handoffd --config \(config)            (or once: add --once)
            In another terminal, as a contractor:
              git clone \(path) /tmp/handoff-demo && cd /tmp/handoff-demo
              git config user.email dev@contractors.example
              handoff board
              handoff claim PAY-142 -m "starting today" && git push
              git pull && handoff status PAY-142          (handoffd has written the new state)
            """)
    }
}
