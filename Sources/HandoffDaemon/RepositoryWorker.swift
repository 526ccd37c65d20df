import Dispatch
import Foundation
import HandoffEngine
import Logging
import Synchronization

/// One served repository: a serial queue that owns its libgit2 handles (opened afresh each run), a
/// jittered polling timer, coalesced pokes, and bounded backoff when the repository keeps failing.
final class RepositoryWorker: Sendable {
    let entry: DaemonConfiguration.RepositoryEntry
    private let settings: EngineSettings
    private let queue: DispatchQueue
    private let coalescer = RunCoalescer()
    private let housekeeping = Housekeeping()
    private let logger: Logger
    private let pollInterval: Double
    private let onFirstPass: @Sendable () -> Void

    private struct State {
        var timer: (any DispatchSourceTimer)?
        var watcher: RefWatcher?
        var backoff = Backoff()
        var retryAt: DispatchTime?
        var firstPassDone = false
        var stopped = false
        var alive = DispatchTime.now()
    }

    private let state = Mutex(State())

    init(entry: DaemonConfiguration.RepositoryEntry, settings: EngineSettings, pollInterval: Double, logger: Logger,
         onFirstPass: @escaping @Sendable () -> Void) {
        self.entry = entry
        self.settings = settings
        self.pollInterval = pollInterval
        self.onFirstPass = onFirstPass
        var logger = logger
        logger[metadataKey: "repository"] = "\(entry.name)"
        self.logger = logger
        queue = DispatchQueue(label: "handoffd.repository.\(entry.name)")
    }

    /// Starts polling (first poll at once) with a jittered period.
    func start() {
        let interval = pollInterval
        let poke: @Sendable () -> Void = { [weak self] in self?.poke() }
        // A local repository wakes its worker as soon as a ref moves; remote ones rely on polling and pokes.
        let watcher = entry.url == nil ? RefWatcher(repository: entry.path, changed: poke) : nil
        state.withLock { state in
            state.watcher = watcher
            // Made inside the lock: the timer belongs to the state from birth (Dispatch sources are not Sendable).
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
            timer.schedule(deadline: .now(), repeating: .milliseconds(Int(interval * 1000)), leeway: .milliseconds(Int(interval * 100) + 1))
            timer.setEventHandler(handler: poke)
            timer.resume()
            state.timer = timer
        }
    }

    /// Asks for a run; pokes during a run coalesce into exactly one more.
    func poke() {
        let waiting = state.withLock { state -> Bool in
            if state.stopped { return true }
            if let retryAt = state.retryAt, retryAt > .now() { return true }
            return false
        }
        guard !waiting, coalescer.poke() else { return }
        queue.async { self.runUntilSettled() }
    }

    /// Stops polling and waits for the run in progress to finish.
    func stop() {
        let (timer, watcher) = state.withLock { state -> ((any DispatchSourceTimer)?, RefWatcher?) in
            state.stopped = true
            return (state.timer, state.watcher)
        }
        timer?.cancel()
        watcher?.stop()
        queue.sync {}
    }

    /// When this worker's queue last ran anything (the watchdog asks it to check in).
    func checkIn() {
        queue.async { self.state.withLock { $0.alive = .now() } }
    }

    var lastAlive: DispatchTime { state.withLock { $0.alive } }
    var firstPassDone: Bool { state.withLock { $0.firstPassDone } }

    private func runUntilSettled() {
        repeat {
            runOnce()
        } while coalescer.finished()
    }

    private func runOnce() {
        if state.withLock({ $0.stopped }) { return }
        do {
            let result = try RepositorySync(entry: entry, settings: settings, logger: logger).run()
            if let commit = result.statusCommit {
                logger.notice("published status \(commit.abbreviated()): \(result.changes.joined(separator: ", "))",
                              metadata: ["folded": "\(result.foldedCommits)"])
                let logger = self.logger
                housekeeping.published(in: entry.path) { logger.warning("\($0)") }
            }
            state.withLock { state in
                state.backoff.succeeded()
                state.retryAt = nil
                state.alive = .now()
            }
        } catch {
            var generator = SystemRandomNumberGenerator()
            let delay = state.withLock { state -> Double in
                let delay = state.backoff.failed(using: &generator)
                state.retryAt = .now() + delay
                state.alive = .now()
                return delay
            }
            logger.error("cannot process \(entry.path): \(error); retrying in \(Int(delay.rounded())) s")
        }
        let first = state.withLock { state -> Bool in
            defer { state.firstPassDone = true }
            return !state.firstPassDone
        }
        if first { onFirstPass() }
    }
}
