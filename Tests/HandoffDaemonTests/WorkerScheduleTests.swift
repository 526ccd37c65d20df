import Git
import GitTestSupport
import HandoffEngine
import Testing

@testable import HandoffDaemon

/// The worker schedule stepped through events by hand: no clock, no sleeping, no Dispatch.
@Suite("Worker schedule")
struct WorkerScheduleTests {
    typealias Schedule = WorkerSchedule<SeededGenerator>

    static let workTree = ProcessingError.Stall.notBare(path: "/srv/specs")
    static let missing = ProcessingError.Stall.cannotOpen(.missingPath("/srv/gone.git"))

    /// A schedule at t = 0 whose first run has ended as `outcome` at t = 1.
    func schedule(after outcome: RunOutcome? = nil, seed: UInt64 = 7) -> Schedule {
        var schedule = Schedule(now: t(0), generator: SeededGenerator(state: seed))
        if let outcome {
            _ = schedule.handle(.pollTimerFired, at: t(0))
            _ = schedule.handle(.runFinished(outcome), at: t(1))
        }
        return schedule
    }

    func t(_ seconds: Double) -> MonotonicInstant { MonotonicInstant(seconds: seconds) }

    /// The retry a step asked for, if any.
    func retry(in actions: [Schedule.Action]) -> (at: MonotonicInstant, delay: Double)? {
        for action in actions { if case .scheduleRetry(let at, let delay) = action { return (at, delay) } }
        return nil
    }

    @Test("pokes and ticks during a run coalesce into exactly one more run; then the worker is idle")
    func coalescing() {
        var schedule = schedule()
        #expect(schedule.handle(.poke, at: t(0)) == [.startRun])
        for second in 1...10 { #expect(schedule.handle(.poke, at: t(Double(second))) == []) }
        #expect(schedule.handle(.pollTimerFired, at: t(11)) == [])
        #expect(schedule.handle(.runFinished(.succeeded), at: t(12)) == [.reportFirstPass, .startRun])
        #expect(schedule.isRunning)
        #expect(schedule.handle(.runFinished(.succeeded), at: t(13)) == [])
        #expect(!schedule.isRunning)
        #expect(schedule.handle(.poke, at: t(14)) == [.startRun])
        #expect(schedule.handle(.runFinished(.succeeded), at: t(15)) == [])
    }

    @Test("retryable failures back off from the base, doubling, jittered, up to the cap; success starts over")
    func backoffGrowsAndCaps() throws {
        var schedule = Schedule(now: t(0), backoff: Backoff(base: 2, limit: 60), generator: SeededGenerator(state: 1))
        #expect(schedule.handle(.pollTimerFired, at: t(0)) == [.startRun])
        var now = 1.0
        var delays: [Double] = []
        for _ in 0..<10 {
            let due = try #require(retry(in: schedule.handle(.runFinished(.retryable), at: t(now))))
            #expect(due.at == t(now + due.delay))
            delays.append(due.delay)
            // Nothing starts before the retry is due: not a poke, not a tick, not an early timer.
            #expect(schedule.handle(.poke, at: t(now + due.delay / 2)) == [])
            #expect(schedule.handle(.pollTimerFired, at: t(now + due.delay / 2)) == [])
            #expect(schedule.handle(.retryTimerFired, at: t(now + due.delay / 2)) == [])
            now += due.delay
            #expect(schedule.handle(.retryTimerFired, at: t(now)) == [.startRun])
            now += 1
        }
        #expect((1.6...2.4).contains(delays[0]))
        #expect((3.2...4.8).contains(delays[1]))
        #expect((6.4...9.6).contains(delays[2]))
        #expect(delays.allSatisfy { $0 <= 72 })
        #expect(delays.suffix(4).allSatisfy { $0 >= 48 }, "the delay stays at the cap (±20%): \(delays)")
        #expect(schedule.backoff.failures == 10)
        #expect(schedule.handle(.runFinished(.succeeded), at: t(now)) == [.reportSucceeded(afterFailures: 10)], "the recovery is told once")
        #expect(schedule.backoff.failures == 0)
        #expect(schedule.handle(.poke, at: t(now)) == [.startRun])
        let first = try #require(retry(in: schedule.handle(.runFinished(.retryable), at: t(now))))
        #expect((1.6...2.4).contains(first.delay))
    }

    @Test("back-off delays follow the generator: the same seed gives the same delays")
    func jitterIsInjected() {
        func delays(seed: UInt64) -> [Double] {
            var schedule = Schedule(now: t(0), generator: SeededGenerator(state: seed))
            var delays: [Double] = []
            var now = 0.0
            for _ in 0..<5 {
                _ = schedule.handle(.poke, at: t(now))
                let due = retry(in: schedule.handle(.runFinished(.retryable), at: t(now)))
                delays.append(due?.delay ?? -1)
                now += 1000
                _ = schedule.handle(.retryTimerFired, at: t(now))
                _ = schedule.handle(.runFinished(.succeeded), at: t(now))
            }
            return delays
        }
        #expect(delays(seed: 3) == delays(seed: 3))
        #expect(delays(seed: 3) != delays(seed: 4))
    }

    @Test("a failed run's retry answers the pokes that came during it: no extra run at once")
    func failureDropsPendingRun() {
        var schedule = schedule()
        #expect(schedule.handle(.poke, at: t(0)) == [.startRun])
        #expect(schedule.handle(.poke, at: t(0.5)) == [])
        let actions = schedule.handle(.runFinished(.retryable), at: t(1))
        #expect(retry(in: actions) != nil)
        #expect(!actions.contains(.startRun))
        #expect(!schedule.isRunning)
    }

    @Test("contention retries soon, without growing the back-off")
    func contention() {
        var schedule = schedule(after: .retryable)
        #expect(schedule.backoff.failures == 1)
        _ = schedule.handle(.retryTimerFired, at: t(100))
        let due = retry(in: schedule.handle(.runFinished(.contention), at: t(101)))
        #expect(due.map { (0.8...1.2).contains($0.delay) } == true, "\(String(describing: due))")
        #expect(schedule.backoff.failures == 1)
        #expect(schedule.handle(.retryTimerFired, at: t(101 + (due?.delay ?? 0))) == [.startRun])
    }

    @Test("a stall is reported once and not retried: ticks only probe, timers and unchanged probes do nothing")
    func stallStopsRetrying() {
        var schedule = schedule()
        _ = schedule.handle(.pollTimerFired, at: t(0))
        #expect(
            schedule.handle(.runFinished(.stalled(Self.workTree)), at: t(1))
                == [.reportStalled(Self.workTree, repeated: false), .probe, .reportFirstPass])
        #expect(schedule.reportedStall == Self.workTree)
        #expect(schedule.handle(.probed(.opened(bare: false, tip: nil)), at: t(1)) == [])
        for second in stride(from: 2.0, through: 600, by: 2) {
            #expect(schedule.handle(.pollTimerFired, at: t(second)) == [.probe])
            #expect(schedule.handle(.probed(.opened(bare: false, tip: nil)), at: t(second)) == [])
            #expect(schedule.handle(.retryTimerFired, at: t(second)) == [])
        }
        #expect(!schedule.isRunning)
        #expect(schedule.reportedStall == Self.workTree)
    }

    @Test("a stalled repository resumes on a reload, even one that keeps its entry; the same stall again is told quietly")
    func stallResumesOnReload() {
        var schedule = schedule(after: .stalled(Self.workTree))
        #expect(schedule.handle(.configurationReloaded, at: t(10)) == [.startRun])
        #expect(schedule.reportedStall == Self.workTree, "STATUS= keeps the stall until the resumed run says otherwise")
        #expect(schedule.handle(.runFinished(.stalled(Self.workTree)), at: t(11)) == [.reportStalled(Self.workTree, repeated: true), .probe])
        #expect(schedule.handle(.configurationReloaded, at: t(20)) == [.startRun])
        #expect(schedule.handle(.runFinished(.succeeded), at: t(21)) == [.reportRecovered])
        #expect(schedule.reportedStall == nil)
        #expect(schedule.handle(.configurationReloaded, at: t(30)) == [], "a reload does not start runs for a healthy worker")
        #expect(schedule.handle(.pollTimerFired, at: t(31)) == [.startRun])
    }

    @Test("a stalled repository resumes when it changes: a poke, or a probe that differs from the one at the stall")
    func stallResumesOnChange() {
        var poked = schedule(after: .stalled(Self.missing))
        #expect(poked.handle(.poke, at: t(5)) == [.startRun])
        #expect(poked.handle(.runFinished(.retryable), at: t(6)).contains(.reportRecovered), "a transient failure is no stall")

        var probed = schedule(after: .stalled(Self.missing))
        #expect(probed.handle(.probed(.absent), at: t(1)) == [])
        #expect(probed.handle(.pollTimerFired, at: t(3)) == [.probe])
        #expect(probed.handle(.probed(.absent), at: t(3)) == [])
        #expect(probed.handle(.pollTimerFired, at: t(5)) == [.probe])
        #expect(probed.handle(.probed(.opened(bare: true, tip: nil)), at: t(5)) == [.startRun])
        #expect(probed.handle(.runFinished(.succeeded), at: t(6)) == [.reportRecovered])

        let tip = ObjectID(hex: String(repeating: "ab", count: 20))
        var moved = schedule(after: .stalled(Self.workTree))
        #expect(moved.handle(.probed(.opened(bare: false, tip: nil)), at: t(1)) == [])
        #expect(moved.handle(.probed(.opened(bare: false, tip: tip)), at: t(3)) == [.startRun])
    }

    @Test("the first pass is done after the first run whatever its outcome, and is reported once")
    func firstPass() {
        for outcome in [RunOutcome.succeeded, .retryable, .contention, .stalled(Self.workTree)] {
            var schedule = schedule()
            #expect(!schedule.firstPassDone)
            _ = schedule.handle(.pollTimerFired, at: t(0))
            #expect(schedule.handle(.runFinished(outcome), at: t(1)).filter { $0 == .reportFirstPass }.count == 1)
            #expect(schedule.firstPassDone)
            _ = schedule.handle(.configurationReloaded, at: t(2))
            _ = schedule.handle(.retryTimerFired, at: t(1000))
            #expect(!schedule.handle(.runFinished(outcome), at: t(1001)).contains(.reportFirstPass))
        }
    }

    @Test("the worker is alive when a run ends or it checks in; the watchdog wants all within four intervals")
    func alive() {
        var schedule = schedule()
        #expect(schedule.lastAlive == t(0))
        _ = schedule.handle(.poke, at: t(1))
        _ = schedule.handle(.checkedIn, at: t(2))
        #expect(schedule.lastAlive == t(2))
        _ = schedule.handle(.runFinished(.succeeded), at: t(7))
        #expect(schedule.lastAlive == t(7))
        #expect(WatchdogRule.healthy(lastAlive: [t(7), t(9)], at: t(10), interval: 1))
        #expect(!WatchdogRule.healthy(lastAlive: [t(5), t(9)], at: t(10), interval: 1))
        #expect(WatchdogRule.healthy(lastAlive: [], at: t(0), interval: 1))
    }

    @Test("after stop nothing starts, and a run ending then asks for nothing")
    func stop() {
        var schedule = schedule()
        #expect(schedule.handle(.poke, at: t(0)) == [.startRun])
        #expect(schedule.handle(.poke, at: t(0.5)) == [])
        #expect(schedule.handle(.stop, at: t(1)) == [.cancelTimers])
        #expect(schedule.isStopped)
        #expect(schedule.handle(.runFinished(.succeeded), at: t(2)) == [], "the pending run is dropped")
        #expect(!schedule.isRunning)
        for event in [Schedule.Event.poke, .pollTimerFired, .retryTimerFired, .configurationReloaded, .probed(.absent)] {
            #expect(schedule.handle(event, at: t(3)) == [])
        }
    }

    @Test("outcomes are read from the error's case; an error of no known kind is retryable")
    func outcomes() {
        struct Unknown: Error {}
        #expect(RunOutcome(ProcessingError.stalled(Self.workTree)) == .stalled(Self.workTree))
        #expect(RunOutcome(ProcessingError.contention(reference: "refs/heads/main", attempts: 5)) == .contention)
        #expect(RunOutcome(ProcessingError.retryable(.pushRefused(url: "git://x", attempts: 5, last: "no"))) == .retryable)
        #expect(RunOutcome(Unknown()) == .retryable)
    }

    @Test("STATUS= names the stalled repositories with what to do, sorted by name")
    func statusLine() {
        #expect(ServiceStatus.line(serving: 3, stalled: []) == "serving 3 repositories")
        let line = ServiceStatus.line(serving: 3, stalled: [("specs", Self.workTree), ("gone", Self.missing)])
        #expect(line.hasPrefix("serving 3 repositories; stalled: gone (cannot open repository at /srv/gone.git"))
        #expect(line.contains(", specs (/srv/specs is a work tree;"))
        #expect(
            ServiceStatus.line(serving: 3, stalled: [], waiting: ["upstream", "mirror"])
                == "serving 3 repositories; waiting for a first answer: mirror, upstream")
    }

    @Test("a tick stops at the idle memo only when a run could do nothing else: ready, idle, first pass done, nothing to report")
    func idleTickWithoutRun() throws {
        var schedule = schedule()
        #expect(!schedule.pollMayStopAtIdleMemo, "the first pass must run")
        #expect(schedule.handle(.pollTimerFired, at: t(0)) == [.startRun])
        #expect(!schedule.pollMayStopAtIdleMemo, "a run is in progress")
        _ = schedule.handle(.runFinished(.succeeded), at: t(1))
        #expect(schedule.pollMayStopAtIdleMemo)
        // A failure: backing off, then one success owes a recovery line.
        _ = schedule.handle(.poke, at: t(2))
        let due = try #require(retry(in: schedule.handle(.runFinished(.retryable), at: t(3))))
        #expect(!schedule.pollMayStopAtIdleMemo)
        #expect(schedule.handle(.retryTimerFired, at: t(3 + due.delay)) == [.startRun])
        #expect(schedule.handle(.runFinished(.succeeded), at: t(4 + due.delay)) == [.reportSucceeded(afterFailures: 1)])
        #expect(schedule.pollMayStopAtIdleMemo)
        // A stall: probed, not run; resumed by a poke, its first success reports the recovery.
        _ = schedule.handle(.poke, at: t(10))
        _ = schedule.handle(.runFinished(.stalled(Self.workTree)), at: t(11))
        #expect(!schedule.pollMayStopAtIdleMemo)
        #expect(schedule.handle(.poke, at: t(12)) == [.startRun])
        _ = schedule.handle(.runFinished(.succeeded), at: t(13))
        #expect(schedule.pollMayStopAtIdleMemo)
        _ = schedule.handle(.stop, at: t(14))
        #expect(!schedule.pollMayStopAtIdleMemo)
    }

    @Test("polls spread: 100 repositories started together poll apart after the first pass, about once an interval each")
    func pollsSpread() {
        var secondPolls: [Double] = []
        for seed in 1...100 {
            var timetable = PollTimetable(interval: 2, generator: SeededGenerator(state: UInt64(seed)))
            let second = timetable.delayAfterPoll()
            #expect((1...3).contains(second))
            secondPolls.append(second)
            for _ in 0..<50 { #expect((1.8...2.2).contains(timetable.delayAfterPoll())) }
        }
        // Ten slots of a fifth of a second over the interval: none holds more than a fifth of the repositories.
        let slots = Dictionary(grouping: secondPolls) { Int(($0.truncatingRemainder(dividingBy: 2)) * 5) }
        #expect(slots.count == 10, "every tenth of the interval has polls: \(slots.keys.sorted())")
        #expect(slots.values.allSatisfy { $0.count <= 20 })
    }
}
