import Testing

@testable import HandoffDaemon

/// Issue 11, item 9: the world-writable notify socket is rate-limited and reports what it drops in
/// aggregate. Stepped by hand with the time passed in: no clock, no socket.
@Suite("Notify intake")
struct NotifyIntakeTests {
    static func at(_ seconds: Double) -> MonotonicInstant { MonotonicInstant(seconds: seconds) }

    @Test("a token bucket lets a burst through, then the refill rate, and never holds more than its capacity")
    func bucket() {
        var bucket = TokenBucket(capacity: 3, rate: 2)
        let burst = (0..<5).map { _ in bucket.take(at: 10) }
        #expect(burst == [true, true, true, false, false])
        // 0.8 of a token after 0.4 s at 2/s; a whole one (just) after 0.5 s; none right after.
        let refill = [bucket.take(at: 10.4), bucket.take(at: 10.5), bucket.take(at: 10.5)]
        #expect(refill == [false, true, false])
        // A long quiet spell refills to capacity, no more.
        let rested = (0..<4).map { _ in bucket.take(at: 100) }
        #expect(rested == [true, true, true, false])
        // A clock that steps back takes nothing extra.
        let back = bucket.take(at: 50)
        #expect(back == false)
    }

    @Test("64,000 datagrams at once: a burst is admitted, the rest dropped and counted, and reported in two summaries")
    func flood() {
        var intake = NotifyIntake(burst: 64, rate: 20, window: 10)
        var admitted = 0
        var summaries: [NotifyIntake.Summary] = []
        for index in 0..<64_000 {
            let now = Self.at(100 + Double(index) / 20_000)  // 3.2 s of datagrams, as in the issue
            if intake.admit(at: now) {
                admitted += 1
                intake.unknownRepository("bogus-\(index)", at: now)
            }
            if let summary = intake.summary(at: now) { summaries.append(summary) }
        }
        // Burst plus refill: 64 + 20/s over 3.2 s.
        #expect(admitted >= 64 && admitted <= 64 + 65, "\(admitted) admitted")
        // The first drop is reported at once; the rest waits for the window to end.
        #expect(summaries.count == 1)
        let early = intake.summary(at: Self.at(105))
        #expect(early == nil)
        if let rest = intake.summary(at: Self.at(110.5)) { summaries.append(rest) }
        #expect(summaries.count == 2)
        #expect(summaries.map(\.dropped).reduce(0, +) == 64_000 - admitted)
        #expect(summaries.map(\.unknown).reduce(0, +) == admitted)
        #expect(summaries[0].unknownSample == "bogus-0")
        let quiet = intake.summary(at: Self.at(200))
        #expect(quiet == nil, "nothing new, nothing to say")
    }

    @Test("ordinary pokes are all admitted and say nothing")
    func ordinaryPokes() {
        var intake = NotifyIntake()
        for second in 0..<600 {
            let admitted = intake.admit(at: Self.at(Double(second)))
            let summary = intake.summary(at: Self.at(Double(second)))
            #expect(admitted && summary == nil)
        }
    }

    @Test("a sample name is cut, so one datagram cannot fill a log line")
    func sampleIsCut() {
        var intake = NotifyIntake()
        intake.unknownRepository(String(repeating: "x", count: 500), at: Self.at(1))
        let summary = intake.summary(at: Self.at(1))
        #expect(summary?.unknownSample?.count == 64)
    }
}
