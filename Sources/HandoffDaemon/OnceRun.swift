public import HandoffEngine
public import Logging

/// A repository `handoffd` serves: a local path and the branch it watches.
public struct RepositoryTarget: Sendable, Hashable {
    /// Path of the (bare) repository.
    public var path: String
    /// The watched branch, short or full name.
    public var branch: String

    /// Creates a target.
    public init(path: String, branch: String = "main") {
        self.path = path
        self.branch = branch
    }
}

/// `handoffd --once`: check every configured repository once, log the outcome, and report failures.
///
/// One broken repository never stops the others; the result says how many could not be processed.
public struct OnceRun {
    /// The branch check applied to each repository.
    public var check: BranchCheck
    /// Where the outcome is logged.
    public var logger: Logger

    /// Creates a run.
    public init(check: BranchCheck = BranchCheck(), logger: Logger) {
        self.check = check
        self.logger = logger
    }

    /// Processes `targets` in order; returns the number of repositories that failed.
    public func run(_ targets: [RepositoryTarget]) -> Int {
        var failures = 0
        for target in targets {
            var logger = self.logger
            logger[metadataKey: "repository"] = "\(target.path)"
            do {
                let report = try check.run(repositoryAt: target.path, branch: target.branch)
                log(report, logger: logger)
            } catch {
                failures += 1
                logger.error("cannot process repository: \(error)")
            }
        }
        return failures
    }

    private func log(_ report: BranchReport, logger: Logger) {
        guard let commit = report.commit else {
            logger.notice("\(report.branch) has no commits yet; nothing to check")
            return
        }
        for finding in report.rootFindings {
            logger.warning("\(finding.formatted)")
        }
        for packet in report.packets {
            let state = packet.isReady ? "ready" : "draft"
            logger.info("\(packet.id) is \(state)", metadata: [
                "score": "\(packet.score)", "errors": "\(packet.errorCount)", "warnings": "\(packet.warningCount)",
            ])
            for finding in packet.findings {
                let line = "\(packet.id): \(finding.formatted)"
                switch finding.severity {
                case .error: logger.notice("\(line)")
                case .warning, .info: logger.info("\(line)")
                }
            }
        }
        let ready = report.packets.count { $0.isReady }
        logger.info("checked \(report.branch) at \(commit.abbreviated()): \(report.packets.count) packet(s), \(ready) ready, \(report.packets.count - ready) draft")
    }
}
