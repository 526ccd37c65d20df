import ArgumentParser
import Foundation
import HandoffConfiguration
import HandoffDaemon
import HandoffEngine
import HandoffHTTP
import Logging
import ServiceLifecycle
import UnixSignals

/// `handoffd`: folds spec repositories' histories into status commits.
@main
struct Handoffd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoffd",
        abstract: "Fold the history of each configured repository into status files and publish them as a signed commit.",
        discussion: """
            Runs as a service: polls each repository, wakes at once when the post-receive hook pokes the \
            notify socket, reloads its configuration on SIGHUP, and finishes the runs in progress and exits 0 \
            on SIGTERM or SIGINT. With --once it runs one pass over every repository and exits (for cron, CI and \
            tests): 0 when every repository was processed, 1 when any is stalled (a person must act: a wrong path, \
            a missing credential file, an unusable signing key), 75 when only retryable failures happened (network, \
            locks, contention: the next pass may succeed). HANDOFFD_* environment \
            variables override the file's values (HANDOFFD_LOG_LEVEL, HANDOFFD_REPOSITORIES_<NAME>_BRANCH, …). \
            Logs go to stderr, with journald priority prefixes when not on a terminal. 64 means a bad command \
            line or configuration.
            """,
        version: HandoffVersion.current,
        subcommands: [Key.self]
    )

    @Option(help: "The configuration file (see Config/handoffd.yaml).")
    var config: String

    @Flag(
        help:
            "Process every repository once and exit, instead of running as a service (exit 0: all processed; 1: a repository is stalled and a person must act; 75: only retryable failures)."
    )
    var once = false

    @Option(help: "Log level, overriding the configuration's log_level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown log level '\(logLevel)'") }
    }

    func run() async throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(config)
        } catch {
            throw ValidationError(error.description)
        }
        let level = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? configuration.logLevel
        let logger = Logger(label: "handoffd") { JournalLogHandler(label: $0, level: level) }
        if once {
            let summary = OnceRun(configuration: configuration, logger: logger).pass()
            if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
            return
        }
        // Dispatch's signal sources on Linux need the default action out of the way first (FIELD-NOTES).
        for number in [SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_IGN) }
        // The HTTP server (http.listen) runs beside the workers, reading what they publish; a reload does not move it.
        let snapshots = SnapshotStore()
        var services: [any Service] = []
        if let http = HTTPService(configuration: configuration, store: snapshots, logger: logger) {
            services = [Daemon(configurationPath: config, logger: logger, snapshots: snapshots), http]
        } else {
            services = [Daemon(configurationPath: config, logger: logger)]
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("handoffd stopped: \(error)")
            throw ExitCode(1)
        }
    }
}
