/// A token bucket: at most `capacity` at once, refilled at `rate` per second. Pure: the time is passed in.
struct TokenBucket: Sendable, Equatable {
    /// Most tokens held (the largest burst let through).
    let capacity: Double
    /// Tokens added per second.
    let rate: Double
    private var tokens: Double
    private var last: Double?

    /// A full bucket.
    init(capacity: Double, rate: Double) {
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
    }

    /// Takes one token at time `now` (seconds on a monotonic clock); false when the bucket is empty.
    mutating func take(at now: Double) -> Bool {
        if let last, now > last { tokens = min(capacity, tokens + (now - last) * rate) }
        last = max(last ?? now, now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// What the notify socket lets through, and what it says about the rest.
///
/// The socket is world-writable (git's hooks run as the serving user), so anyone on the machine can send
/// datagrams. Pokes coalesce into runs anyway, so a few a second are plenty: past the bucket datagrams are
/// dropped, and drops and pokes for unknown repositories are logged in aggregate, the first at once and
/// then at most one summary per window, so a flood costs a few log lines, not megabytes.
struct NotifyIntake: Sendable, Equatable {
    /// What happened to datagrams since the last summary.
    struct Summary: Sendable, Equatable {
        /// Datagrams dropped over the rate limit.
        var dropped = 0
        /// Pokes naming no served repository.
        var unknown = 0
        /// One unknown name, as a sample for the log.
        var unknownSample: String?
        /// Seconds the summary covers.
        var seconds: Double = 0

        var isEmpty: Bool { dropped == 0 && unknown == 0 }
    }

    /// The rate limit.
    private(set) var bucket: TokenBucket
    /// Seconds between two summaries.
    let window: Double
    private var pending = Summary()
    private var lastReport: Double?
    private var windowStart: Double?

    /// An intake letting through bursts of `burst` and `rate` datagrams a second, summarising every `window` seconds.
    init(burst: Double = 64, rate: Double = 20, window: Double = 10) {
        bucket = TokenBucket(capacity: burst, rate: rate)
        self.window = window
    }

    /// Whether a datagram arriving at `now` is let through (it is counted when not).
    mutating func admit(at instant: MonotonicInstant) -> Bool {
        if bucket.take(at: instant.seconds) { return true }
        note(at: instant) { $0.dropped += 1 }
        return false
    }

    /// Counts a poke that named no served repository.
    mutating func unknownRepository(_ name: String, at instant: MonotonicInstant) {
        note(at: instant) { summary in
            summary.unknown += 1
            if summary.unknownSample == nil { summary.unknownSample = String(name.prefix(64)) }
        }
    }

    /// The summary due at `now`, if any: the first event after a quiet window at once, then one per window;
    /// with `final` (the socket is closing), whatever is pending.
    mutating func summary(at instant: MonotonicInstant, final: Bool = false) -> Summary? {
        let now = instant.seconds
        guard !pending.isEmpty else { return nil }
        if !final, let lastReport, now - lastReport < window { return nil }
        var due = pending
        due.seconds = max(0, now - (windowStart ?? now))
        pending = Summary()
        lastReport = now
        windowStart = nil
        return due
    }

    private mutating func note(at instant: MonotonicInstant, _ change: (inout Summary) -> Void) {
        if pending.isEmpty { windowStart = instant.seconds }
        change(&pending)
    }
}
