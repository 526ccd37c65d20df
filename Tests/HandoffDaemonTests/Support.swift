import Foundation
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
