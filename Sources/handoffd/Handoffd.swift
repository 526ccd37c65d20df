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
            Runs as a service: polls each repository, wakes at once when the post-receive hook pokes the \
            notify socket, reloads its configuration on SIGHUP, and finishes the runs in progress and exits 0 \
            on SIGTERM. With --once it runs one pass over every repository and exits (for cron, CI and tests): \
            0 when every repository was processed, 1 when any could not be. Logs go to stderr, with journald \
            priority prefixes when not on a terminal. 64 means a bad command line or configuration.
            """
    )

    @Option(help: "The configuration file (see Config/handoffd.yaml).")
    var config: String

    @Flag(help: "Process every repository once and exit, instead of running as a service.")
    var once = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
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
        if once {
            if OnceRun(configuration: configuration, logger: logger).run() > 0 { throw ExitCode(1) }
            return
        }
        let daemon = Daemon(configurationPath: config, logger: logger)
        do {
            try daemon.start()
        } catch {
            throw ValidationError("\(error)")
        }
        dispatchMain()
    }
}
