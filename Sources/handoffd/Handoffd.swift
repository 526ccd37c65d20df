import ArgumentParser
import Foundation
import HandoffDaemon
import Logging

/// `handoffd`: folds spec repositories' histories into status commits.
@main
struct Handoffd: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fold the history of each configured repository into status files and publish them as a signed commit.",
        discussion: """
            This version runs one pass over every repository and exits (for cron, CI and tests). Logs go to \
            stderr with syslog priority prefixes for journald. Exit status: 0 when every repository was \
            processed, 1 when any could not be (one line each says why), 64 on a bad command line or configuration.
            """
    )

    @Option(help: "The configuration file (see Config/handoffd.yaml).")
    var config: String

    @Flag(help: "Process every repository once and exit.")
    var once = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard once else { throw ValidationError("pass --once: this version of handoffd runs one pass and exits") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
    }

    func run() throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(config)
        } catch {
            throw ValidationError(error.description)
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let logger = Logger(label: "handoffd") { JournalLogHandler(label: $0, level: level) }
        if OnceRun(configuration: configuration, logger: logger).run() > 0 { throw ExitCode(1) }
    }
}
