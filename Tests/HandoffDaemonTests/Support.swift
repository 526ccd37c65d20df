import Foundation
import GitTestSupport
import Logging
import Synchronization

/// The built `handoff` and `handoffd` executables, which SwiftPM puts next to the test bundle.
enum Executables {
    /// The folder of the test bundle.
    static let productsFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    static let handoff = "\(productsFolder)/handoff"
    static let handoffd = "\(productsFolder)/handoffd"
    /// Whether both are built (the suites that run them are skipped when not).
    static let built = FileManager.default.isExecutableFile(atPath: handoff) && FileManager.default.isExecutableFile(atPath: handoffd)
}

/// Waits until `condition` holds, checking every 20 ms; false when it still does not after `timeout`
/// seconds (a bound on waiting for a failure, not a claim about speed).
func eventually(timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// Makes the clone at `clone` sign every commit with demo participant `short`'s key (`handoff demo` serves
/// its repository with `participant_identity: signature`, so unsigned pushes are refused).
func signAsDemoParticipant(_ short: String = "ops", demo root: String, clone: String) throws {
    for (key, value) in [("gpg.format", "ssh"), ("user.signingkey", "\(root)/keys/\(short)_ed25519"), ("commit.gpgsign", "true")] {
        let result = try runProcess("/usr/bin/git", ["config", key, value], in: clone)
        guard result.status == 0 else { throw CommandFailed(command: ["git", "config", key, value], result: result) }
    }
}
