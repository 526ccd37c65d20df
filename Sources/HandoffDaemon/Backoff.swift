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
