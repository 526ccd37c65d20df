public import HandoffConfiguration
public import HandoffCore
import HandoffEngine
public import Logging

/// `handoffd --once`: process every configured repository once, log the outcome, count the failures.
///
/// One broken repository never stops the others; each failure is logged in one line with its reason.
public struct OnceRun {
    /// The configuration in force.
    public var configuration: DaemonConfiguration
    /// Where the outcome is logged.
    public var logger: Logger
    /// Memoised contract checks shared by the repositories of this run.
    public var cache = CheckCache()

    /// Creates a run.
    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Processes every repository; returns the number that failed.
    public func run() -> Int {
        configuration.sweepScratch(logger: logger)
        let prepared: PreparedConfiguration
        do {
            prepared = try PreparedConfiguration(configuration)
        } catch {
            logger.error("cannot use the signing key: \(error)")
            return configuration.repositories.count
        }
        var failures = 0
        for entry in configuration.repositories {
            var logger = self.logger
            logger[metadataKey: "repository"] = "\(entry.name)"
            let settings = prepared.settings(for: entry, cache: cache)
            do {
                let result = try RepositorySync(entry: entry, settings: settings, logger: logger).run()
                if let commit = result.statusCommit {
                    logger.notice("published status \(commit.abbreviated()) covering \(result.processedTip?.abbreviated() ?? "-"): \(result.changes.joined(separator: ", "))",
                                  metadata: ["folded": "\(result.foldedCommits)"])
                } else {
                    logger.info("up to date at \(result.processedTip?.abbreviated() ?? "an empty branch")", metadata: ["folded": "\(result.foldedCommits)"])
                }
            } catch {
                failures += 1
                logger.error("cannot process \(entry.path): \(error)")
            }
        }
        return failures
    }
}


