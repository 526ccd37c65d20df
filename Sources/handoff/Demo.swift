import ArgumentParser
import Foundation
import HandoffEngine

/// `handoff demo DIR`: creates the built-in demo spec repository.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the demo spec repository (one ready packet, one draft).",
        discussion: "Creates DIR/specs.git, a bare repository, and DIR/handoffd.yaml, a configuration serving it."
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
        try Data(DemoRepository.configuration(repository: path, stateDirectory: folder.appendingPathComponent("state").path).utf8)
            .write(to: URL(fileURLWithPath: config))
        print("Created \(path) (main at \(tip.abbreviated())) and \(config).")
        print("Process it:   handoffd --config \(config) --once")
        print("Clone it:     git clone \(path) specs && handoff validate specs")
    }
}
