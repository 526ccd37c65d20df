import ArgumentParser
import HandoffDaemon
import Logging

/// `handoffd`: processes spec repositories. This version runs one pass (`--once`) and exits.
@main
struct Handoffd: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every packet of the given repositories and log the outcome.",
        discussion: """
            Runs one pass over each repository and exits (the mode for cron, CI and tests). Logs go to \
            stderr with syslog priority prefixes for journald. Exit status: 0 when every repository was \
            processed, 1 when any could not be.
            """
    )

    @Flag(help: "Process every repository once and exit.")
    var once = false

    @Option(name: .customLong("repository"), help: "A repository to process, as PATH or PATH@BRANCH (repeatable).")
    var repositories: [String] = []

    @Option(help: "Branch watched when a repository names none.")
    var branch = "main"

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard once else {
            throw ValidationError("pass --once: this version of handoffd runs one pass and exits")
        }
        guard !repositories.isEmpty else { throw ValidationError("name at least one --repository") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let logger = Logger(label: "handoffd") { JournalLogHandler(label: $0, level: level) }
        let targets = repositories.map { spec -> RepositoryTarget in
            if let at = spec.lastIndex(of: "@"), at != spec.startIndex {
                return RepositoryTarget(path: String(spec[..<at]), branch: String(spec[spec.index(after: at)...]))
            }
            return RepositoryTarget(path: spec, branch: branch)
        }
        let failures = OnceRun(logger: logger).run(targets)
        if failures > 0 { throw ExitCode(1) }
    }
}
