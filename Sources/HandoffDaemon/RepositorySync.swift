import Foundation
import Git
import HandoffConfiguration
import HandoffEngine
import Logging

/// One pass over one configured repository: local ones are processed in place; remote ones are fetched
/// into a mirror, processed there, and the status commit pushed back with the server's own
/// compare-and-swap, fetching and processing again when the server refuses (moved, hook declined).
///
/// Failures are thrown as `ProcessingError`, sorted by who must act: a path that holds no usable
/// repository and missing credential files stall (a person must act); network failures and repeated push
/// refusals are retryable. An error the engine lets through unsorted is retryable for the worker.
struct RepositorySync {
    let entry: DaemonConfiguration.RepositoryEntry
    let settings: EngineSettings
    let logger: Logger
    /// Most push attempts before giving up until the next run.
    var maxAttempts = 5

    func run() throws -> ProcessingResult {
        let processor = RepositoryProcessor(settings: settings)
        for (path, age) in StaleLocks.clear(in: entry.path, references: [settings.reference, settings.statusReference]) {
            logger.warning("removed \(path): untouched for \(age) s, left by a process killed while updating that reference")
        }
        guard let url = entry.url else {
            let repository = try Self.open(entry.path)
            guard repository.isBare else {
                throw ProcessingError.stalled(.notBare(path: entry.path))
            }
            return try processor.run(repository)
        }
        if !FileManager.default.fileExists(atPath: entry.path) {
            do {
                _ = try Repository.initBare(at: entry.path, initialBranch: entry.branch)
            } catch {
                throw ProcessingError.retryable(.git(error))
            }
        }
        let options = try entry.credentials.options(for: url)
        let input = settings.reference
        let output = settings.statusReference
        var lastRefusal = ""
        for attempt in 1...maxAttempts {
            let mirror = try Self.open(entry.path)
            let fetched: ObjectID?
            do {
                if output == input {
                    try mirror.fetch(from: url, refspecs: ["+\(input):\(input)"], options: options)
                } else {
                    // The status branch may not exist yet: fetch it when the server has it, and drop a stale copy when not.
                    let advertised = Set(try mirror.remoteReferences(at: url, options: options).map(\.name))
                    let present = [input, output].filter(advertised.contains)
                    if !present.isEmpty { try mirror.fetch(from: url, refspecs: present.map { "+\($0):\($0)" }, options: options) }
                    if !advertised.contains(output), let stale = try mirror.referenceTarget(output) {
                        do {
                            try mirror.deleteReference(output, expecting: stale)
                        } catch {
                            throw ProcessingError.retryable(.publish(error))
                        }
                    }
                }
                fetched = try mirror.referenceTarget(output)
            } catch let error as GitError {
                throw ProcessingError.retryable(.git(error))
            }
            let result = try processor.run(mirror)
            guard result.statusCommit != nil else { return result }
            do {
                try mirror.push(to: url, updates: [PushUpdate(source: output, expectation: .remoteValue(fetched))], options: options)
                return result
            } catch {
                lastRefusal = error.description
                logger.warning("push of the status commit refused (attempt \(attempt)): \(error); fetching again")
            }
        }
        throw ProcessingError.retryable(.pushRefused(url: url, attempts: maxAttempts, last: lastRefusal))
    }

    /// Opens the configured path: one that holds no repository handoffd can use stalls; any other failure is retried.
    private static func open(_ path: String) throws(ProcessingError) -> Repository {
        do {
            return try Repository.open(at: path)
        } catch {
            switch error {
            case .failed(_, let cause): throw .retryable(.git(cause))
            case .missingPath, .notARepository, .unsupportedExtension, .ownership: throw .stalled(.cannotOpen(error))
            }
        }
    }
}
