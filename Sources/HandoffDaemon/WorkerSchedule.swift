import Dispatch
import Git
import HandoffEngine

/// A point on a monotonic clock, in seconds. The schedule is handed instants and never reads a clock,
/// so its tests step time by hand.
struct MonotonicInstant: Comparable, Sendable, CustomStringConvertible {
    /// Seconds since an arbitrary origin (boot, for the daemon's clock).
    var seconds: Double

    /// The instant `seconds` after the clock's origin.
    init(seconds: Double) {
        self.seconds = seconds
    }

    /// The instant of a Dispatch time, the clock Dispatch timers run on.
    init(_ time: DispatchTime) {
        seconds = Double(time.uptimeNanoseconds) / 1e9
    }

    /// The Dispatch time of this instant, for arming a timer at it.
    var dispatchTime: DispatchTime { DispatchTime(uptimeNanoseconds: UInt64(max(0, seconds) * 1e9)) }

    /// The instant `interval` seconds later.
    func advanced(by interval: Double) -> MonotonicInstant { MonotonicInstant(seconds: seconds + interval) }

    static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.seconds < rhs.seconds }

    var description: String { "\(seconds) s" }
}

/// What handoffd can see of a repository without running the engine or using the network: whether the
/// configured path holds a repository, and its branch tip. A stalled repository resumes when it differs.
enum RepositoryProbe: Equatable, Sendable {
    /// Nothing exists at the configured path.
    case absent
    /// Something exists there that libgit2 cannot open as a repository.
    case unopenable
    /// A repository: whether it is bare, and the watched branch's tip (nil when the branch does not exist).
    case opened(bare: Bool, tip: ObjectID?)
    /// A remote repository: its state is not observed without the network, so only a reload or a poke resumes it.
    case remote
}

/// How a run ended, as the schedule needs it: a success, or a failure sorted by who must act.
enum RunOutcome: Equatable, Sendable {
    /// The repository was processed (whether or not a status commit was published).
    case succeeded
    /// A person must act; retrying cannot help until the configuration or the repository changes.
    case stalled(ProcessingError.Stall)
    /// A transient failure: back off and retry.
    case retryable
    /// Others kept moving the reference: retry soon, without growing the back-off.
    case contention

    /// The outcome of a run that threw `error`; an error of no known kind is retryable, the safe default.
    init(_ error: any Error) {
        switch error as? ProcessingError {
        case .stalled(let stall): self = .stalled(stall)
        case .contention: self = .contention
        case .retryable, nil: self = .retryable
        }
    }
}

/// The scheduling decisions of one repository's worker, as a value stepped by events.
///
/// It decides when runs start (one at a time; pokes during a run coalesce into exactly one more), how
/// long a failing repository backs off, when a stalled one resumes, when the first pass is done and when
/// the worker last answered. It reads no clock and does no I/O: every event carries its instant, and the
/// actions it returns are carried out by `RepositoryWorker` with Dispatch.
///
/// A stalled repository (a person must act) is not retried. It resumes on the first of: a configuration
/// reload (even one that leaves its entry unchanged), a poke (the notify socket, or the ref watcher
/// seeing a reference move), or a poll tick whose probe of the repository differs from the probe taken
/// when it stalled (the path appeared, became a bare repository, or its branch tip moved).
struct WorkerSchedule<Generator: RandomNumberGenerator & Sendable>: Sendable {
    /// What a worker does next.
    enum Action: Equatable, Sendable {
        /// Start a run now.
        case startRun
        /// Deliver `retryTimerFired` at this instant (the delay is for the log line).
        case scheduleRetry(at: MonotonicInstant, delay: Double)
        /// Probe the repository and deliver `probed`.
        case probe
        /// The first run has ended (processed, failed or stalled): the daemon may count it towards READY=1.
        case reportFirstPass
        /// The repository stalled; `repeated` when it had already stalled for this same reason before the
        /// last resume (log it quietly: the person was told already).
        case reportStalled(ProcessingError.Stall, repeated: Bool)
        /// The repository no longer stalls (its run succeeded or failed for a transient reason).
        case reportRecovered
        /// A run succeeded after this many retryable failures in a row: the operator saw the errors, so
        /// say that it works again.
        case reportSucceeded(afterFailures: Int)
        /// Cancel the timers and the watcher: the worker is stopping.
        case cancelTimers
    }

    /// What happened to the worker.
    enum Event: Equatable, Sendable {
        /// Something says the repository changed: the notify socket or the ref watcher.
        case poke
        /// The polling timer ticked.
        case pollTimerFired
        /// The timer armed by `scheduleRetry` fired.
        case retryTimerFired
        /// The run in progress ended.
        case runFinished(RunOutcome)
        /// The probe asked for by `probe` saw this.
        case probed(RepositoryProbe)
        /// The daemon's configuration was reloaded and this worker's entry kept.
        case configurationReloaded
        /// The worker's queue answered the watchdog.
        case checkedIn
        /// The worker is stopping: nothing starts any more.
        case stop
    }

    private enum Condition: Equatable {
        /// Runs start on any poke or tick.
        case ready
        /// A retryable failure: nothing starts before `until`.
        case backingOff(until: MonotonicInstant)
        /// A person must act: nothing starts until a reload, a poke or a changed probe.
        case stalled(ProcessingError.Stall, baseline: RepositoryProbe?)
    }

    /// Growth and bound of the back-off after retryable failures.
    private(set) var backoff: Backoff
    /// The delay before retrying after contention, in seconds (jittered like the back-off).
    let contentionDelay: Double
    private var generator: Generator
    private var condition = Condition.ready
    private var running = false
    private var pending = false
    private var stopped = false
    /// The stall last reported (kept through a resumed run, so a repeated stall is told quietly).
    private(set) var reportedStall: ProcessingError.Stall?
    /// Whether the first run has ended.
    private(set) var firstPassDone = false
    /// When the worker last answered: a run ended or it checked in.
    private(set) var lastAlive: MonotonicInstant

    /// A schedule created at `now`, backing off as `backoff` says and drawing jitter from `generator`.
    init(now: MonotonicInstant, backoff: Backoff = Backoff(), contentionDelay: Double = 1, generator: Generator) {
        self.backoff = backoff
        self.contentionDelay = contentionDelay
        self.generator = generator
        lastAlive = now
    }

    /// Whether a run is in progress.
    var isRunning: Bool { running }

    /// Whether the worker was told to stop.
    var isStopped: Bool { stopped }

    /// Whether a poll tick may be answered without a run when the idle memo says nothing changed: the
    /// worker is ready (neither backing off nor stalled), no run is in progress, its first pass is done, and
    /// a successful run would have nothing to report (no failures to recover from, no stall to clear), so
    /// the run it would start could only stop at the memo and step nothing but `lastAlive`, which the
    /// watchdog's check-ins keep.
    var pollMayStopAtIdleMemo: Bool {
        guard !stopped, !running, firstPassDone, reportedStall == nil, backoff.failures == 0, case .ready = condition else { return false }
        return true
    }

    /// Steps the schedule by `event`, which happened at `now`; returns the actions to carry out, in order.
    mutating func handle(_ event: Event, at now: MonotonicInstant) -> [Action] {
        if stopped {
            if case .runFinished = event {
                running = false
                lastAlive = now
            }
            return []
        }
        switch event {
        case .poke:
            if case .stalled = condition { condition = .ready }
            return requestRun(at: now)
        case .pollTimerFired:
            if case .stalled = condition { return [.probe] }
            return requestRun(at: now)
        case .retryTimerFired:
            guard case .backingOff(let until) = condition, now >= until else { return [] }
            return requestRun(at: now)
        case .configurationReloaded:
            guard case .stalled = condition else { return [] }
            condition = .ready
            return requestRun(at: now)
        case .probed(let probe):
            guard case .stalled(let stall, let baseline) = condition else { return [] }
            guard let baseline else {
                condition = .stalled(stall, baseline: probe)
                return []
            }
            if probe == baseline { return [] }
            condition = .ready
            return requestRun(at: now)
        case .checkedIn:
            lastAlive = now
            return []
        case .runFinished(let outcome):
            return finished(outcome, at: now)
        case .stop:
            stopped = true
            pending = false
            return [.cancelTimers]
        }
    }

    /// A poke or tick: start a run unless one is running (then ask for one more) or the repository waits.
    private mutating func requestRun(at now: MonotonicInstant) -> [Action] {
        switch condition {
        case .stalled: return []
        case .backingOff(let until) where now < until: return []
        case .backingOff, .ready: break
        }
        if running {
            pending = true
            return []
        }
        condition = .ready
        running = true
        return [.startRun]
    }

    private mutating func finished(_ outcome: RunOutcome, at now: MonotonicInstant) -> [Action] {
        running = false
        lastAlive = now
        var actions: [Action] = []
        switch outcome {
        case .succeeded:
            if backoff.failures > 0 { actions.append(.reportSucceeded(afterFailures: backoff.failures)) }
            backoff.succeeded()
            condition = .ready
        case .retryable:
            let delay = backoff.failed(using: &generator)
            condition = .backingOff(until: now.advanced(by: delay))
            actions.append(.scheduleRetry(at: now.advanced(by: delay), delay: delay))
        case .contention:
            let delay = contentionDelay * Double.random(in: 0.8...1.2, using: &generator)
            condition = .backingOff(until: now.advanced(by: delay))
            actions.append(.scheduleRetry(at: now.advanced(by: delay), delay: delay))
        case .stalled(let stall):
            condition = .stalled(stall, baseline: nil)
            actions.append(.reportStalled(stall, repeated: reportedStall == stall))
            actions.append(.probe)
            reportedStall = stall
        }
        if case .stalled = outcome {
        } else if reportedStall != nil {
            reportedStall = nil
            actions.append(.reportRecovered)
        }
        if !firstPassDone {
            firstPassDone = true
            actions.append(.reportFirstPass)
        }
        // A failure's retry, or the stall, answers the pokes that came during the run; a success owes one more run.
        if pending {
            pending = false
            if case .ready = condition {
                running = true
                actions.append(.startRun)
            }
        }
        return actions
    }
}

/// When a repository's polls fire. The first is at once (the first pass counts towards READY=1); the
/// second comes after half to one and a half intervals, drawn per repository, and each later one after an
/// interval jittered by ±10 %, so that N repositories started together spread their polls over the
/// interval instead of all polling in the same instant.
struct PollTimetable<Generator: RandomNumberGenerator & Sendable>: Sendable {
    /// The configured poll interval, in seconds.
    let interval: Double
    private var generator: Generator
    private var polls = 0

    /// A timetable polling about every `interval` seconds, drawing its offsets from `generator`.
    init(interval: Double, generator: Generator) {
        self.interval = interval
        self.generator = generator
    }

    /// The delay from the poll that just fired to the next one.
    mutating func delayAfterPoll() -> Double {
        polls += 1
        let factor = polls == 1 ? Double.random(in: 0.5..<1.5, using: &generator) : Double.random(in: 0.9...1.1, using: &generator)
        return interval * factor
    }
}

/// The watchdog's rule: WATCHDOG=1 only while every worker answered within four watchdog intervals.
enum WatchdogRule {
    /// Whether workers last alive at `lastAlive` are all healthy at `now`.
    static func healthy(lastAlive: [MonotonicInstant], at now: MonotonicInstant, interval: Double) -> Bool {
        lastAlive.allSatisfy { now.seconds - $0.seconds <= interval * 4 }
    }
}

/// The text of systemd's `STATUS=`: how many repositories are served and which stall, with what to do.
enum ServiceStatus {
    /// `serving N repositories`, then `; stalled: name (what to do), …` when any stalls, then `; waiting
    /// for a first answer: name, …` for repositories whose first run has not ended (each list sorted by name).
    static func line(serving count: Int, stalled: [(name: String, stall: ProcessingError.Stall)], waiting: [String] = []) -> String {
        var line = "serving \(count) repositories"
        if !stalled.isEmpty {
            line +=
                "; stalled: "
                + stalled.sorted { $0.name < $1.name }.map { "\($0.name) (\(ProcessingError.stalled($0.stall)))" }.joined(separator: ", ")
        }
        if !waiting.isEmpty { line += "; waiting for a first answer: " + waiting.sorted().joined(separator: ", ") }
        return line
    }
}
