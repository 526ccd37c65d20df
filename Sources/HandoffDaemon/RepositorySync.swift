import Foundation
import Git
import HandoffConfiguration
import HandoffEngine
import Logging
import Synchronization

/// One pass over one configured repository: local ones are processed in place; remote ones are fetched
/// into a mirror, processed there, and the status commit pushed back with the server's own
/// compare-and-swap, fetching and processing again when the server refuses (moved, hook declined).
///
/// Failures are thrown as `ProcessingError`, sorted by who must act: a path that holds no usable
/// repository and missing credential files stall (a person must act); network failures and repeated push
/// refusals are retryable. An error the engine lets through unsorted is retryable for the worker.
struct RepositorySync {
    let entry: DaemonConfiguration.RepositoryEntry
    let processor: RepositoryProcessor
    let memo: IdleMemo
    /// The worker's kept handle for reading a local repository's references on an idle poll (nil: open afresh).
    var references: ReferenceReader?
    let logger: Logger
    /// How long the remote may take, and the group a stop cancels.
    var limits = RemoteLimits()
    /// Most push attempts before giving up until the next run.
    var maxAttempts = 5

    var settings: EngineSettings { processor.settings }

    /// One pass; nil when the references are those of a pass that found nothing to do (an idle poll: no
    /// engine, no child process, and for a remote repository one listing of its references, no fetch).
    func run() throws -> ProcessingResult? {
        guard let url = entry.url else {
            let check = LocalIdleCheck(
                path: entry.path, input: settings.reference, output: settings.statusReference, memo: memo, references: references)
            if check.passCanStop(logger: logger) { return nil }
            let repository = try Self.open(entry.path)
            guard repository.isBare else {
                throw ProcessingError.stalled(.notBare(path: entry.path))
            }
            let observed: ObservedReferences
            do {
                observed = ObservedReferences(
                    input: try repository.referenceTarget(settings.reference), output: try repository.referenceTarget(settings.statusReference))
            } catch {
                throw ProcessingError.retryable(.git(error))
            }
            if memo.isIdle(at: observed) { return nil }
            let result = try processor.run(repository)
            if result.statusCommit == nil { memo.remember(observed) }
            return result
        }
        let input = settings.reference
        let output = settings.statusReference
        LocalIdleCheck.clearStaleLocks(StaleLocks.lockFiles(in: entry.path, references: [input, output]), logger: logger)
        if !FileManager.default.fileExists(atPath: entry.path) {
            do {
                _ = try Repository.initBare(at: entry.path, initialBranch: entry.branch)
            } catch {
                throw ProcessingError.retryable(.git(error))
            }
        }
        var options = try entry.credentials.options(for: url)
        options.deadlines = limits.deadlines
        options.group = limits.group
        var lastRefusal = ""
        for attempt in 1...maxAttempts {
            let mirror = try Self.open(entry.path)
            let fetched: ObjectID?
            let observed: ObservedReferences
            do {
                // Listing first makes an idle poll one round trip with nothing transferred.
                let advertised = Dictionary(
                    try mirror.remoteReferences(at: url, options: options).map { ($0.name, $0.target) }, uniquingKeysWith: { first, _ in first })
                observed = ObservedReferences(input: advertised[input] ?? nil, output: advertised[output] ?? nil)
                if attempt == 1, memo.isIdle(at: observed) { return nil }
                // The status branch may not exist yet: fetch it when the server has it, and drop a stale copy when not.
                let present = Set([input, output]).filter { advertised[$0] != nil }.sorted()
                if !present.isEmpty { try mirror.fetch(from: url, refspecs: present.map { "+\($0):\($0)" }, options: options) }
                if output != input, advertised[output] == nil, let stale = try mirror.referenceTarget(output) {
                    do {
                        try mirror.deleteReference(output, expecting: stale)
                    } catch {
                        throw ProcessingError.retryable(.publish(error))
                    }
                }
                fetched = try mirror.referenceTarget(output)
            } catch let error as GitError {
                throw ProcessingError.retryable(.git(error))
            }
            let result = try processor.run(mirror)
            guard result.statusCommit != nil else {
                memo.remember(observed)
                return result
            }
            do {
                try mirror.push(to: url, updates: [PushUpdate(source: output, expectation: .remoteValue(fetched))], options: options)
                return result
            } catch .failed(let cause) {
                // Not a refusal: the network failed (or timed out). Fetching again at once would not help.
                throw ProcessingError.retryable(.git(cause))
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

/// How handoffd's remote operations are bounded and cut: the configured deadlines, and the daemon's group,
/// which its stop cancels so that no remote can hold SIGTERM.
struct RemoteLimits: Sendable, Equatable {
    /// Connect and inactivity deadlines.
    var deadlines = NetworkDeadlines.standard
    /// Cancelled together when the daemon stops; nil for a single pass.
    var group: NetworkGroup?

    /// The deadlines `configuration` sets, in `group`.
    init(_ configuration: DaemonConfiguration? = nil, group: NetworkGroup? = nil) {
        if let configuration {
            deadlines = NetworkDeadlines(
                connect: .milliseconds(Int(configuration.connectTimeout * 1000)),
                inactivity: .milliseconds(Int(configuration.inactivityTimeout * 1000)))
        }
        self.group = group
    }
}

/// The watched and status references as a pass saw them (the same reference twice when status goes on the
/// watched branch).
struct ObservedReferences: Equatable, Sendable {
    /// The watched branch's tip.
    var input: ObjectID?
    /// The status reference's tip.
    var output: ObjectID?
}

/// What the last pass that found nothing to do saw. A later pass that sees the same references has nothing
/// to do either: status is a pure function of history, and history is what the references point at.
/// Forgotten on a configuration reload, which may change what the same history means (keys, operators).
final class IdleMemo: Sendable {
    private let seen = Mutex<ObservedReferences?>(nil)

    /// Whether a pass at `references` can stop at once.
    func isIdle(at references: ObservedReferences) -> Bool { seen.withLock { $0 == references } }

    /// A pass at `references` found nothing to publish.
    func remember(_ references: ObservedReferences) { seen.withLock { $0 = references } }

    /// The next pass runs whatever it sees.
    func forget() { seen.withLock { $0 = nil } }
}

/// What a local pass does first, and all that an idle poll of a local repository does (issue 16, AC-2): remove
/// the abandoned lock files of the two references, read them through the worker's kept handle, and compare
/// them with the idle memo. No engine, no child process, nothing allocated that outlives it.
struct LocalIdleCheck: Sendable {
    /// The repository's path.
    let path: String
    /// The watched reference and the status reference (the same name when status goes on the watched branch).
    let input: String
    let output: String
    let memo: IdleMemo
    /// The kept handle; nil: the references are not read here, and the pass never stops early.
    let references: ReferenceReader?
    private let lockFiles: [String]

    /// The check of the repository at `path`, for the watched reference `input` and status reference `output`.
    init(path: String, input: String, output: String, memo: IdleMemo, references: ReferenceReader?) {
        self.path = path
        self.input = input
        self.output = output
        self.memo = memo
        self.references = references
        lockFiles = StaleLocks.lockFiles(in: path, references: [input, output])
    }

    /// Removes abandoned lock files (each removal a warning on `logger`); true when the references are
    /// those of the last pass that found nothing to do, so this pass can stop.
    func passCanStop(logger: Logger) -> Bool {
        Self.clearStaleLocks(lockFiles, logger: logger)
        guard let seen = references?.observe(path, input: input, output: output) else { return false }
        return memo.isIdle(at: seen)
    }

    /// Removes the abandoned ones of `lockFiles`, each removal a warning on `logger`.
    static func clearStaleLocks(_ lockFiles: [String], logger: Logger) {
        for (path, age) in StaleLocks.clear(lockFiles) {
            logger.warning("removed \(path): untouched for \(age) s, left by a process killed while updating that reference")
        }
    }
}

/// A repository handle a worker keeps between runs only to read the two references an idle poll compares.
/// Opening a repository costs libgit2 about thirty file-system calls (configuration files, ownership,
/// paths) and was most of an idle poll's CPU at 100 repositories (issue 16, AC-2); reading a reference
/// through a kept handle costs a few, and it sees what other processes write. It reads no objects, so it
/// keeps no pack file mapped after a `git gc` deletes it: runs still open their own handle.
final class ReferenceReader: Sendable {
    private let handle = Mutex<Repository?>(nil)

    /// The references of the repository at `path` as they are now; nil when they cannot be read (the run
    /// that follows opens the repository itself and says why).
    func observe(_ path: String, input: String, output: String) -> ObservedReferences? {
        handle.withLock { kept -> ObservedReferences? in
            if kept == nil { kept = try? Repository.open(at: path) }
            guard let repository = kept else { return nil }
            do {
                let tip = try repository.referenceTarget(input)
                // Status on the watched branch: one reference, read once.
                return ObservedReferences(input: tip, output: output == input ? tip : try repository.referenceTarget(output))
            } catch {
                kept = nil
                return nil
            }
        }
    }

    /// Closes the handle; the next poll opens another (after a reload, which may have changed the path).
    func forget() { handle.withLock { $0 = nil } }
}
