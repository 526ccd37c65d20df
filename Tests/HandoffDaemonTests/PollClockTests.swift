import Dispatch
import Foundation
import Synchronization
import Testing

@testable import HandoffDaemon

/// The one thread that fires every repository's polls: at once, then after each delay the handler returns,
/// sharing a wake-up with polls due within their leeway, until cancelled.
@Suite("Poll clock")
struct PollClockTests {
    /// Waits up to `seconds` for `condition`.
    func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = DispatchTime.now() + seconds
        while DispatchTime.now() < deadline {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    @Test("a poll fires at once and then after each returned delay; cancelled, it fires no more; nil ends the series")
    func firesAndCancels() {
        let clock = PollClock()
        let count = Mutex(0)
        let registration = clock.register(leeway: 0) {
            count.withLock { $0 += 1 }
            return 0.02
        }
        #expect(eventually { count.withLock { $0 } >= 5 })
        clock.cancel(registration)
        usleep(50_000)
        let after = count.withLock { $0 }
        usleep(200_000)
        #expect(count.withLock { $0 } == after, "no firing after the cancel took effect")
        let once = Mutex(0)
        _ = clock.register(leeway: 0) {
            once.withLock { $0 += 1 }
            return nil
        }
        #expect(eventually { once.withLock { $0 } == 1 })
        usleep(200_000)
        #expect(once.withLock { $0 } == 1)
    }

    @Test("a poll due within its leeway of an earlier one fires in the same wake-up, a little early")
    func leewayShares() {
        let clock = PollClock()
        let fired = Mutex<[String: [Double]]>([:])
        func poll(_ name: String, delay: Double) -> PollClock.Registration {
            clock.register(leeway: 0.2) {
                let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
                let count = fired.withLock { fired in
                    fired[name, default: []].append(now)
                    return fired[name]!.count
                }
                return count < 2 ? delay : nil
            }
        }
        _ = poll("early", delay: 0.3)
        _ = poll("late", delay: 0.45)
        #expect(eventually { fired.withLock { $0["early"]?.count == 2 && $0["late"]?.count == 2 } })
        let (early, late) = fired.withLock { ($0["early"]![1], $0["late"]![1]) }
        #expect(late - early < 0.1, "the later poll went with the earlier one: \(late - early) s apart")
    }

    @Test("a handler that hangs shows as busy since it started, so the watchdog stops vouching for the service")
    func hangingHandlerIsSeen() {
        let clock = PollClock()
        let release = DispatchSemaphore(value: 0)
        #expect(clock.busySince == nil)
        _ = clock.register(leeway: 0) {
            release.wait()  // a stat on a hung mount, say
            return nil
        }
        #expect(eventually { clock.busySince != nil })
        let since = clock.busySince!
        #expect(!WatchdogRule.healthy(lastAlive: [since], at: since.advanced(by: 41), interval: 10))
        release.signal()
        #expect(eventually { clock.busySince == nil })
    }
}
