import Dispatch
import Foundation
import Synchronization

/// The one thread that fires every repository's polls (issue 16, AC-2).
///
/// A Dispatch timer per repository cost about three thread wake-ups per poll (Dispatch's manager thread for
/// the timer, a pool thread for its handler, the manager again to re-arm it), which was most of an idle
/// daemon's CPU at 100 repositories. Here one thread sleeps until the earliest poll is due, fires every poll
/// due within that poll's leeway, and sleeps again: with polls spread over the interval, one wake-up serves
/// several of them.
///
/// A poll's handler runs on this thread, so it must be quick and must not block: an idle local poll is a few
/// file-system calls, and anything more (a run, a probe, the network) goes to the repository's own queue.
final class PollClock: Sendable {
    /// One registered series of polls, for `cancel`.
    struct Registration: Hashable, Sendable {
        fileprivate let number: Int
    }

    /// The clock handoffd's workers share.
    static let shared = PollClock()

    private struct Poll {
        /// When it fires next; nil while its handler runs.
        var due: MonotonicInstant?
        /// How early it may fire to share a wake-up with an earlier poll, in seconds.
        let leeway: Double
        /// Fires the poll; returns the delay to the next one in seconds, or nil to end the series.
        let fire: @Sendable () -> Double?
    }

    private struct State {
        var polls: [Int: Poll] = [:]
        var nextNumber = 0
        var threadStarted = false
    }

    private let state = Mutex(State())
    /// When the handler running now started; nil between handlers. A handler stuck in the file system (a hung
    /// mount) would hold every repository's polls: the watchdog reads this, so systemd restarts the service.
    private let firing = Mutex<MonotonicInstant?>(nil)

    /// When the poll handler running now started, or nil when none runs.
    var busySince: MonotonicInstant? { firing.withLock { $0 } }
    /// Signalled when a poll is added or removed, so the thread recomputes when to wake.
    private let changed = DispatchSemaphore(value: 0)

    /// Fires `fire` at once, then again after each delay it returns, until it returns nil or the series is
    /// cancelled. A poll may fire up to `leeway` seconds early, to share a wake-up with an earlier one.
    func register(leeway: Double, fire: @escaping @Sendable () -> Double?) -> Registration {
        let (registration, startThread) = state.withLock { state -> (Registration, Bool) in
            let number = state.nextNumber
            state.nextNumber += 1
            state.polls[number] = Poll(due: MonotonicInstant(.now()), leeway: max(0, leeway), fire: fire)
            defer { state.threadStarted = true }
            return (Registration(number: number), !state.threadStarted)
        }
        if startThread {
            let thread = Thread { [self] in loop() }
            thread.name = "handoffd.polls"
            thread.start()
        } else {
            changed.signal()
        }
        return registration
    }

    /// Ends a series: its handler is not called again (a firing in progress completes).
    func cancel(_ registration: Registration) {
        state.withLock { _ = $0.polls.removeValue(forKey: registration.number) }
        changed.signal()
    }

    /// The thread's life: wait for the earliest due poll (or a change), fire what is due, repeat.
    private func loop() {
        while true {
            let now = MonotonicInstant(.now())
            let (due, next) = state.withLock { state -> ([(number: Int, fire: @Sendable () -> Double?)], MonotonicInstant?) in
                // Nothing fires early unless something is due: then whatever its leeway allows goes with it.
                let earliest = state.polls.values.compactMap(\.due).min()
                guard let earliest, earliest <= now else { return ([], earliest) }
                let due = state.polls.compactMap { number, poll in
                    poll.due.flatMap { $0.seconds - poll.leeway <= now.seconds ? (number: number, fire: poll.fire) : nil }
                }
                for (number, _) in due { state.polls[number]?.due = nil }
                return (due, nil)
            }
            if due.isEmpty {
                _ = changed.wait(timeout: next?.dispatchTime ?? .distantFuture)
                continue
            }
            for (number, fire) in due {
                // Cancelled since it was found due: not fired.
                guard state.withLock({ $0.polls[number] != nil }) else { continue }
                firing.withLock { $0 = MonotonicInstant(.now()) }
                let delay = fire()
                let fired = MonotonicInstant(.now())
                firing.withLock { $0 = nil }
                state.withLock { state in
                    guard state.polls[number] != nil else { return }
                    if let delay {
                        state.polls[number]?.due = fired.advanced(by: delay)
                    } else {
                        state.polls[number] = nil
                    }
                }
            }
        }
    }
}
