import ArgumentParser
import Foundation
import HandoffEngine

/// `handoff`: the participants' command line.
@main
struct Handoff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "Hand scoped backend work to contractors through written specs kept in git.",
        version: HandoffVersion.current,
        subcommands: [
            Init.self, Validate.self, Status.self, Board.self,
            Claim.self, Unclaim.self, Submit.self, Accept.self, RequestChanges.self, Cancel.self, Reopen.self, Block.self, Unblock.self,
            Report.self, TriageCommand.self, Signing.self, Hook.self, Replay.self, Rules.self, Demo.self,
        ]
    )

    /// Like `ParsableCommand.main()`, but usage and I/O errors exit 2 (as `handoff validate` documents)
    /// instead of sysexits' 64, so scripts can tell "not ready" (1) from "could not check" (2).
    static func main() {
        do {
            // `--wait` may stand alone (`--wait[=SECONDS]`); the parser wants a value, so give it the default.
            let arguments = CommandLine.arguments.dropFirst().map { $0 == "--wait" ? "--wait=\(ActionOptions.defaultWait)" : $0 }
            var command = try parseAsRoot(Array(arguments))
            try command.run()
        } catch let error as CannotCheck {
            FileHandle.standardError.write(Data("handoff: \(safe("\(error)"))\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure || (error as? CocoaError) != nil || (error as? POSIXError) != nil {
                FileHandle.standardError.write(Data("handoff: \(safe(fullMessage(for: error)))\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
