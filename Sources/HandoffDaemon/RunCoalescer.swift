import Synchronization

/// Turns any number of pokes into runs, one at a time: a poke while a run is in progress asks for
/// exactly one more run after it, however many pokes arrive meanwhile.
public final class RunCoalescer: Sendable {
    private enum Phase {
        case idle
        case running
        case runningWithPending
    }

    private let phase = Mutex(Phase.idle)

    /// Creates an idle coalescer.
    public init() {}

    /// Records a poke; returns true when the caller should start a run now.
    public func poke() -> Bool {
        phase.withLock { phase in
            switch phase {
            case .idle:
                phase = .running
                return true
            case .running, .runningWithPending:
                phase = .runningWithPending
                return false
            }
        }
    }

    /// Records the end of a run; returns true when another run must follow at once.
    public func finished() -> Bool {
        phase.withLock { phase in
            switch phase {
            case .runningWithPending:
                phase = .running
                return true
            case .running, .idle:
                phase = .idle
                return false
            }
        }
    }
}

/// Bounded, jittered exponential backoff for a repository that keeps failing.
public struct Backoff: Sendable, Equatable {
    /// The first delay, in seconds.
    public var base: Double
    /// The longest delay, in seconds.
    public var limit: Double
    /// Consecutive failures so far.
    public private(set) var failures = 0

    /// Creates a backoff from `base` up to `limit` seconds.
    public init(base: Double = 2, limit: Double = 300) {
        self.base = base
        self.limit = limit
    }

    /// Records a failure and returns the delay before the next attempt: base·2ⁿ, capped, ±20% jitter.
    public mutating func failed(using random: inout some RandomNumberGenerator) -> Double {
        failures += 1
        let delay = min(limit, base * Double(1 << min(failures - 1, 20)))
        return delay * Double.random(in: 0.8...1.2, using: &random)
    }

    /// Records a success: the next failure starts from the base again.
    public mutating func succeeded() {
        failures = 0
    }
}
