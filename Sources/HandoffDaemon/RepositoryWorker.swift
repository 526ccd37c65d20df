import Dispatch
import Foundation
import Git
import HandoffConfiguration
import HandoffCore
import HandoffEngine
import HandoffHTTP
import Logging
import Synchronization

/// One served repository: a serial queue that owns its libgit2 handles (opened afresh each run), jittered
/// polls fired by the shared `PollClock`, a ref watcher for local repositories, and timers for retries.
///
/// Every decision (whether a poke starts a run, how long to back off, when a stalled repository
/// resumes) is `WorkerSchedule`'s; this type feeds it events stamped with `clock` and carries out the
/// actions it returns.
final class RepositoryWorker: Sendable {
    /// What the worker tells the daemon.
    enum Report: Sendable {
        /// The first run has ended, whatever its outcome.
        case firstPassDone
        /// The repository stalled or stopped stalling: STATUS= changes.
        case stallChanged
    }

    let entry: DaemonConfiguration.RepositoryEntry
    /// Kept across runs: signature verdicts are remembered by commit id, so an idle pass verifies nothing.
    private let processor: RepositoryProcessor
    private let memo = IdleMemo()
    private let references = ReferenceReader()
    /// What an idle poll of a local repository does, on the poll clock's thread; nil for a remote one.
    private let idleCheck: LocalIdleCheck?
    private let pollClock: PollClock
    private let limits: RemoteLimits
    private let queue: DispatchQueue
    private let housekeeping = Housekeeping()
    private let logger: Logger
    private let clock: @Sendable () -> MonotonicInstant
    private let report: @Sendable (Report) -> Void
    /// Where the last published status goes for the HTTP server, if one runs.
    private let snapshots: SnapshotStore?

    private typealias Schedule = WorkerSchedule<SystemRandomNumberGenerator>

    private struct State {
        var schedule: Schedule
        var polls: PollClock.Registration?
        var retryTimer: (any DispatchSourceTimer)?
        var watcher: RefWatcher?
        var timetable: PollTimetable<SystemRandomNumberGenerator>
        /// The last snapshot handed to `snapshots`.
        var published: PublishedRepository?
    }

    private let state: Mutex<State>

    init(
        entry: DaemonConfiguration.RepositoryEntry, settings: EngineSettings, pollInterval: Double, limits: RemoteLimits,
        logger: Logger, snapshots: SnapshotStore? = nil, pollClock: PollClock = .shared,
        clock: @escaping @Sendable () -> MonotonicInstant = { MonotonicInstant(.now()) }, report: @escaping @Sendable (Report) -> Void
    ) {
        self.entry = entry
        self.snapshots = snapshots
        processor = RepositoryProcessor(settings: settings)
        idleCheck =
            entry.url == nil
            ? LocalIdleCheck(path: entry.path, input: settings.reference, output: settings.statusReference, memo: memo, references: references)
            : nil
        self.pollClock = pollClock
        self.limits = limits
        self.clock = clock
        self.report = report
        var logger = logger
        logger[metadataKey: "repository"] = "\(entry.name)"
        self.logger = logger
        queue = DispatchQueue(label: "handoffd.repository.\(entry.name)")
        state = Mutex(
            State(
                schedule: Schedule(now: clock(), generator: SystemRandomNumberGenerator()),
                timetable: PollTimetable(interval: pollInterval, generator: SystemRandomNumberGenerator())))
    }

    /// Starts polling: the first poll at once, the later ones as the worker's `PollTimetable` spreads them.
    func start() {
        let poke: @Sendable () -> Void = { [weak self] in self?.poke() }
        // A local repository wakes its worker as soon as a ref moves; remote ones rely on polling and pokes.
        let watcher = entry.url == nil ? RefWatcher(repository: entry.path, changed: poke) : nil
        // A poll may come a twentieth of the interval early to share the clock's wake-up with another.
        let leeway = state.withLock { $0.timetable.interval } / 20
        state.withLock { $0.watcher = watcher }
        let polls = pollClock.register(leeway: leeway) { [weak self] in self?.pollTimerFired() }
        let stopped = state.withLock { state in
            state.polls = polls
            return state.schedule.isStopped
        }
        // Stopped before the registration was kept: cancelTimers found none to cancel.
        if stopped { pollClock.cancel(polls) }
    }

    /// A poll, on the poll clock's thread: an idle local repository stops at its references there; anything
    /// else goes to the schedule, whose runs and probes go to the worker's queue. Returns the delay to the
    /// next poll, as the timetable spreads them.
    private func pollTimerFired() -> Double {
        let (delay, quiet) = state.withLock { state in
            (state.timetable.delayAfterPoll(), state.schedule.pollMayStopAtIdleMemo && (snapshots == nil || state.published != nil))
        }
        // A run started meanwhile (a poke) is harmless: the check reads and clears what the run would, under locks.
        if quiet, let idleCheck, idleCheck.passCanStop(logger: logger) { return delay }
        handle(.pollTimerFired)
        return delay
    }

    /// The repository may have changed (notify socket, ref watcher): runs now, coalesced, and resumes a stall.
    func poke() {
        handle(.poke)
    }

    /// The configuration was reloaded and kept this worker's entry: a stalled repository gets another chance.
    func configurationReloaded() {
        memo.forget()
        references.forget()
        handle(.configurationReloaded)
    }

    /// Stops polling and waits for the run in progress to finish.
    func stop() {
        requestStop()
        waitUntilStopped()
    }

    /// Stops polling: no run starts after this one.
    func requestStop() {
        handle(.stop)
    }

    /// Waits for the run in progress, if any, to finish.
    func waitUntilStopped() {
        queue.sync {}
    }

    /// Asks the queue to check in: a queue stuck in a run does not, and the watchdog notices.
    func checkIn() {
        queue.async { self.handle(.checkedIn) }
    }

    /// When this worker's queue last answered (a run ended or it checked in).
    var lastAlive: MonotonicInstant { state.withLock { $0.schedule.lastAlive } }
    /// Whether the first run has ended.
    var firstPassDone: Bool { state.withLock { $0.schedule.firstPassDone } }
    /// The stall reported in STATUS=, if the repository stalls.
    var stall: ProcessingError.Stall? { state.withLock { $0.schedule.reportedStall } }

    private func handle(_ event: Schedule.Event, failure: (any Error)? = nil) {
        let now = clock()
        let actions = state.withLock { $0.schedule.handle(event, at: now) }
        for action in actions { perform(action, failure: failure) }
    }

    private func perform(_ action: Schedule.Action, failure: (any Error)?) {
        switch action {
        case .startRun:
            queue.async { self.run() }
        case .scheduleRetry(let at, let delay):
            let reason = failure.map { "\($0)" } ?? "a failure"
            // Contention is others pushing, not a fault: a warning, retried within about a second.
            let contention = if case .contention? = failure as? ProcessingError { true } else { false }
            logger.log(
                level: contention ? .warning : .error,
                "cannot process \(entry.path): \(reason); retrying in \(max(1, Int(delay.rounded()))) s")
            let fired: @Sendable () -> Void = { [weak self] in self?.handle(.retryTimerFired) }
            state.withLock { state in
                state.retryTimer?.cancel()
                let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
                timer.schedule(deadline: at.dispatchTime)
                timer.setEventHandler(handler: fired)
                timer.resume()
                state.retryTimer = timer
            }
        case .probe:
            queue.async { self.handle(.probed(self.probe())) }
        case .reportFirstPass:
            report(.firstPassDone)
        case .reportStalled(let stall, let repeated):
            let message =
                "stalled, a person must act: cannot process \(entry.path): \(ProcessingError.stalled(stall)); "
                + "not retrying until the configuration is reloaded (SIGHUP) or the repository changes"
            logger.log(level: repeated ? .info : .error, "\(message)")
            report(.stallChanged)
        case .reportRecovered:
            logger.notice("no longer stalled")
            report(.stallChanged)
        case .reportSucceeded(let failures):
            logger.notice("recovered: processed \(entry.path) after \(failures) failed \(failures == 1 ? "attempt" : "attempts")")
        case .cancelTimers:
            let (polls, retryTimer, watcher) = state.withLock { state in (state.polls, state.retryTimer, state.watcher) }
            if let polls { pollClock.cancel(polls) }
            retryTimer?.cancel()
            watcher?.stop()
        }
    }

    /// One run, on the queue.
    private func run() {
        if state.withLock({ $0.schedule.isStopped }) { return }
        do {
            let result = try RepositorySync(entry: entry, processor: processor, memo: memo, references: references, logger: logger, limits: limits)
                .run()
            if let result, let commit = result.statusCommit {
                logger.notice(
                    "published status \(commit.abbreviated()): \(result.changeSummary())",
                    metadata: ["folded": "\(result.foldedCommits)"])
                let logger = self.logger
                housekeeping.published(in: entry.path) { logger.warning("\($0)") }
            }
            if result != nil { MemoryReturn.afterRun() }
            // A pass that stopped at the idle memo saw the references it saw last: nothing new to serve, and
            // opening the repository for it on every poll of every repository is most of an idle daemon's CPU.
            if result != nil || state.withLock({ $0.published == nil }) { refreshSnapshot() }
            handle(.runFinished(.succeeded))
        } catch {
            if state.withLock({ $0.published == nil }) { refreshSnapshot() }
            handle(.runFinished(RunOutcome(error)), failure: error)
        }
    }

    /// Reads what git now holds at the status reference into a new snapshot for the HTTP server (on the
    /// queue, after a run: never on a request's path). Unchanged packets are reused; an unchanged tip costs
    /// one reference lookup.
    private func refreshSnapshot() {
        guard let snapshots else { return }
        let previous = state.withLock { $0.published }
        do {
            let repository = try Repository.open(at: entry.path)
            let snapshot = try PublishedSnapshotReader.read(
                repository, name: entry.name, branch: entry.branch, statusReference: processor.settings.statusReference, previous: previous)
            if previous == nil || previous?.statusCommit != snapshot.statusCommit {
                state.withLock { $0.published = snapshot }
                snapshots.publish(snapshot)
            }
        } catch {
            logger.debug("published status not read for the HTTP server: \(error)")
        }
    }

    /// What can be seen of the repository without the engine or the network (on the queue: it opens it).
    private func probe() -> RepositoryProbe {
        guard entry.url == nil else { return .remote }
        guard FileManager.default.fileExists(atPath: entry.path) else { return .absent }
        guard let repository = try? Repository.open(at: entry.path) else { return .unopenable }
        return .opened(bare: repository.isBare, tip: (try? repository.referenceTarget(processor.settings.reference)) ?? nil)
    }
}
