import Git
public import HandoffConfiguration
public import HandoffCore
import HandoffEngine
public import Logging

/// `handoffd --once`: process every configured repository once, log the outcome, sort the failures.
///
/// One broken repository never stops the others; each failure is logged in one line with its reason.
public struct OnceRun {
    /// Which repositories of a pass failed, sorted by who must act.
    public struct Summary: Equatable, Sendable {
        /// Repositories a person must fix (configuration, credentials, signing key): retrying cannot help.
        public var stalled: [String] = []
        /// Repositories that failed for a reason expected to pass (network, locks, contention).
        public var retryable: [String] = []

        /// Creates a summary.
        public init(stalled: [String] = [], retryable: [String] = []) {
            self.stalled = stalled
            self.retryable = retryable
        }

        /// How many repositories failed.
        public var failures: Int { stalled.count + retryable.count }

        /// The exit code of `handoffd --once`: 0 all processed, 1 any stalled, 75 (EX_TEMPFAIL) only retryable failures.
        public var exitCode: Int32 {
            if !stalled.isEmpty { return 1 }
            return retryable.isEmpty ? 0 : 75
        }
    }

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
        // As the service does: a catch-up's fold, its check-ahead thread and the check workers would otherwise
        // each grow an arena of their own (B1's peak: 138.5 MiB with them, 130.6 MiB with two).
        MemoryReturn.limitArenas()
    }

    /// Processes every repository; returns the number that failed.
    public func run() -> Int {
        pass().failures
    }

    /// Processes every repository; returns which failed, sorted by who must act.
    public func pass() -> Summary {
        configuration.sweepScratch(logger: logger)
        // A key that cannot be used stalls each repository with its own message (RepositoryProcessor.run).
        let prepared = PreparedConfiguration(configuration)
        for warning in configuration.identityWarnings() { logger.warning("\(warning)") }
        var summary = Summary()
        for entry in configuration.repositories {
            var logger = self.logger
            logger[metadataKey: "repository"] = "\(entry.name)"
            let settings = prepared.settings(for: entry, cache: cache)
            do {
                // A fresh memo: a single pass always runs.
                let sync = RepositorySync(
                    entry: entry, processor: RepositoryProcessor(settings: settings), memo: IdleMemo(), logger: logger,
                    limits: RemoteLimits(configuration))
                guard let result = try sync.run() else { continue }
                if let commit = result.statusCommit {
                    logger.notice(
                        "published status \(commit.abbreviated()) covering \(result.processedTip?.abbreviated() ?? "-"): \(result.changeSummary())",
                        metadata: ["folded": "\(result.foldedCommits)"])
                } else {
                    logger.info(
                        "up to date at \(result.processedTip?.abbreviated() ?? "an empty branch")", metadata: ["folded": "\(result.foldedCommits)"])
                }
            } catch {
                // An error the engine lets through unsorted counts as retryable, as it does for the service.
                if case .stalled? = error as? ProcessingError {
                    summary.stalled.append(entry.name)
                    logger.error("cannot process \(entry.path): \(error)", metadata: ["stalled": "a person must act"])
                } else {
                    summary.retryable.append(entry.name)
                    logger.error("cannot process \(entry.path): \(error)")
                }
            }
        }
        return summary
    }
}
