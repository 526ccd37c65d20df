import Foundation
import Git
import HandoffEngine
import Logging

/// One pass over one configured repository: local ones are processed in place; remote ones are fetched
/// into a mirror, processed there, and the status commit pushed back with the server's own
/// compare-and-swap, fetching and processing again when the server refuses (moved, hook declined).
struct RepositorySync {
    let entry: DaemonConfiguration.RepositoryEntry
    let settings: EngineSettings
    let logger: Logger
    /// Most push attempts before giving up until the next run.
    var maxAttempts = 5

    func run() throws -> ProcessingResult {
        let processor = RepositoryProcessor(settings: settings)
        guard let url = entry.url else { return try processor.run(repositoryAt: entry.path) }
        if !FileManager.default.fileExists(atPath: entry.path) {
            _ = try Repository.initBare(at: entry.path, initialBranch: entry.branch)
        }
        let reference = settings.reference
        var lastRefusal = ""
        for attempt in 1...maxAttempts {
            let mirror = try Repository.open(at: entry.path)
            try mirror.fetch(from: url, refspecs: ["+\(reference):\(reference)"])
            let fetched = try mirror.referenceTarget(reference)
            let result = try processor.run(mirror)
            guard result.statusCommit != nil else { return result }
            do {
                try mirror.push(to: url, updates: [PushUpdate(source: reference, expectation: .remoteValue(fetched))])
                return result
            } catch {
                lastRefusal = error.description
                logger.warning("push of the status commit refused (attempt \(attempt)): \(error); fetching again")
            }
        }
        throw DaemonError(description: "\(url) refused the status commit \(maxAttempts) times; last: \(lastRefusal)")
    }
}
