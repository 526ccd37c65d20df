import ArgumentParser
import Foundation
import HandoffEngine

/// `handoff demo DIR`: creates the built-in demo spec repository.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the demo spec repository (one ready packet, one draft).",
        discussion: "Creates DIR/specs.git, a bare repository; `handoffd --once --repository DIR/specs.git` checks it."
    )

    @Argument(help: "Folder to create the demo in; it must not hold a specs.git yet.")
    var directory: String

    func run() throws {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("specs.git").path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(path) already exists; remove it or choose another folder")
        }
        let tip = try DemoRepository.create(at: path)
        print("Created \(path) (main at \(tip.abbreviated())).")
        print("Check it:     handoffd --once --repository \(path)")
        print("Clone it:     git clone \(path) specs && handoff validate specs")
    }
}
