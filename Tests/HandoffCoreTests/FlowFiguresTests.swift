import Testing

@testable import HandoffCore

private let client = "ana@acme.example", contractor = "dev@contractors.example", reviewer = "rita@acme.example"

/// A history entry, applied unless `rejected`.
private func entry(
    _ at: String, _ kind: HistoryAction, _ from: PacketState?, _ to: PacketState?, by: String = client, rejected: Bool = false
) -> HistoryEntry {
    HistoryEntry(
        at: at, commit: String(repeating: "a", count: 40), by: by, kind: kind, from: from, to: to,
        outcome: rejected ? .rejected(.noRole(identity: by)) : .applied(note: ""))
}

/// Flow figures and triage on hand-built histories: pure functions of the status files' text.
@Suite("Flow figures and triage")
struct FlowFiguresTests {
    static func packet(
        _ id: String, client team: String? = "payments", scope: Manifest.Scope = .finite, score: Int = 100, errors: Int = 0,
        dependsOn: [String] = [], blocked: Bool = false, reviewers: [String] = [reviewer], _ history: [HistoryEntry]
    ) -> PublishedPacket {
        var status = PacketStatus(id: PacketID(id)!, since: history.last?.at ?? "", specRevision: "a")
        status.title = "Packet \(id)"
        status.history = history
        status.state = history.last { $0.rejection == nil }?.to ?? .draft
        status.since = history.last { $0.rejection == nil && $0.from != $0.to }?.at ?? history.first?.at ?? ""
        status.score = score
        status.errors = errors
        status.dependsOn = dependsOn
        status.blocked = blocked
        status.reviewers = reviewers
        status.assignee = history.contains { $0.kind == .workflow(.claim) && $0.rejection == nil } ? contractor : nil
        if errors > 0 { status.findings = [Finding(.contextPlaceholder, file: "specs/\(id)/context.md", line: 5, message: "placeholder 'TBD'")] }
        return PublishedPacket(status: status, scope: scope, client: team)
    }

    /// Created draft, ready a day later, claimed two days later, submitted after 3 h, changes requested,
    /// submitted again, accepted: every stay and both review rounds.
    static let delivered = packet(
        "PAY-1",
        [
            entry("2026-11-02T09:00:00Z", .created, nil, .draft),
            entry("2026-11-03T09:00:00Z", .specChange, .draft, .ready),
            entry("2026-11-04T10:00:00Z", .workflow(.claim), .ready, .ready, by: "nobody@else.example", rejected: true),
            entry("2026-11-05T09:00:00Z", .workflow(.claim), .ready, .inProgress, by: contractor),
            entry("2026-11-05T12:00:00Z", .workflow(.submit), .inProgress, .inReview, by: contractor),
            entry("2026-11-06T12:00:00Z", .workflow(.requestChanges), .inReview, .inProgress, by: reviewer),
            entry("2026-11-06T14:00:00Z", .deliveryChange, .inProgress, .inProgress, by: contractor),
            entry("2026-11-07T12:00:00Z", .workflow(.submit), .inProgress, .inReview, by: contractor),
            entry("2026-11-09T12:00:00Z", .workflow(.accept), .inReview, .delivered, by: reviewer),
        ])

    @Test("stays in each state, lead time, review rounds and readiness at claim from one history")
    func onePacket() {
        let flow = FlowFigures.packetFlow(Self.delivered, until: UTCTime("2026-12-01T00:00:00Z"))
        #expect(flow.created == "2026-11-02T09:00:00Z")
        #expect(flow.delivered == "2026-11-09T12:00:00Z")
        #expect(flow.leadTime == Int64(7 * 86_400 + 3 * 3_600))
        #expect(flow.waitingReady == 2 * 86_400)  // 11-03 09:00 → 11-05 09:00; the rejected claim changes nothing
        #expect(flow.inProgress == 3 * 3_600 + 24 * 3_600)  // 3 h, then 11-06 12:00 → 11-07 12:00
        #expect(flow.inReview == 24 * 3_600 + 48 * 3_600)
        #expect(flow.reviewRounds == 2)
        #expect(flow.readinessAtClaim == 100)
    }

    @Test("an open stay counts up to the figures' time; a spec change after the claim makes readiness at claim unknown")
    func openStayAndSpecChange() {
        let open = Self.packet(
            "PAY-2", score: 80,
            [
                entry("2026-11-02T09:00:00Z", .created, nil, .ready),
                entry("2026-11-02T10:00:00Z", .workflow(.claim), .ready, .inProgress, by: contractor),
                entry("2026-11-03T10:00:00Z", .specChange, .inProgress, .inProgress),
            ])
        let flow = FlowFigures.packetFlow(open, until: UTCTime("2026-11-04T10:00:00Z"))
        #expect(flow.waitingReady == 3_600)
        #expect(flow.inProgress == 2 * 86_400)
        #expect(flow.leadTime == nil)
        #expect(flow.readinessAtClaim == nil)
        // Without a time, open stays end at the last entry: nothing depends on the clock.
        #expect(FlowFigures.packetFlow(open, until: nil).inProgress == 86_400)
        let unchanged = Self.packet("PAY-3", score: 80, Array(open.status.history.prefix(2)))
        #expect(FlowFigures.packetFlow(unchanged, until: nil).readinessAtClaim == 80)
    }

    @Test("per team medians and per week counts (weeks start on Monday, UTC)")
    func teamsAndWeeks() {
        let quick = Self.packet(
            "PAY-4",
            [
                entry("2026-11-09T09:00:00Z", .created, nil, .ready),
                entry("2026-11-09T10:00:00Z", .workflow(.claim), .ready, .inProgress, by: contractor),
                entry("2026-11-10T10:00:00Z", .workflow(.submit), .inProgress, .inReview, by: contractor),
                entry("2026-11-11T10:00:00Z", .workflow(.accept), .inReview, .delivered, by: reviewer),
            ])
        let other = Self.packet("OPS-1", client: "ops", [entry("2026-11-15T23:59:59Z", .created, nil, .ready)])
        let report = FlowFigures.report([quick, other, Self.delivered], asOf: "2026-11-16T00:00:00Z")
        #expect(report.packets.map { $0.id.rawValue } == ["OPS-1", "PAY-1", "PAY-4"])
        let payments = report.teams.first { $0.client == "payments" }
        #expect(payments?.packets == 2 && payments?.delivered == 2)
        // Lead times 7 d 3 h and 2 d 1 h: the median of two is their mean.
        let lead: Int64 = (7 * 86_400 + 3 * 3_600 + 2 * 86_400 + 3_600) / 2
        #expect(payments?.medianLeadTime == lead)
        #expect(payments?.reviewRounds == 3)
        #expect(report.teams.map { $0.client } == ["ops", "payments"])
        let weeks: [WeekFlow] = [
            WeekFlow(week: "2026-11-02", becameReady: 1, claimed: 1, delivered: 0),
            WeekFlow(week: "2026-11-09", becameReady: 2, claimed: 1, delivered: 2),
        ]
        #expect(report.weeks == weeks)
        // The same histories give the same figures in any order.
        #expect(FlowFigures.report([other, Self.delivered, quick], asOf: "2026-11-16T00:00:00Z") == report)
    }

    @Test("times parse as status files write them, and weeks start on Monday")
    func times() {
        #expect(UTCTime("1970-01-01T00:00:00Z")?.seconds == 0)
        #expect(UTCTime("2026-12-02T10:15:02Z")?.iso8601 == "2026-12-02T10:15:02Z")
        #expect(UTCTime("2024-02-29T12:00:00Z")?.weekStart == "2024-02-26")
        #expect(UTCTime("2026-11-16T00:00:00Z")?.weekStart == "2026-11-16")
        #expect(UTCTime("2026-11-15T23:59:59Z")?.weekStart == "2026-11-09")
        #expect(UTCTime("yesterday") == nil)
        #expect(UTCTime("2026-13-01T00:00:00Z") == nil)
    }

    @Test("triage ranks by blocker, then by the longest wait, with one next action and who takes it")
    func triage() {
        let draft = Self.packet("PAY-10", errors: 2, [entry("2026-11-01T09:00:00Z", .created, nil, .draft)])
        let ongoing = Self.packet("OPS-2", scope: .ongoing, [entry("2026-11-01T09:00:00Z", .created, nil, .ready)])
        let waitingOnDependency = Self.packet("PAY-11", dependsOn: ["PAY-10"], [entry("2026-11-02T09:00:00Z", .created, nil, .ready)])
        let reviewOld = Self.packet(
            "PAY-12",
            [
                entry("2026-11-01T09:00:00Z", .created, nil, .ready),
                entry("2026-11-01T10:00:00Z", .workflow(.claim), .ready, .inProgress, by: contractor),
                entry("2026-11-03T10:00:00Z", .workflow(.submit), .inProgress, .inReview, by: contractor),
            ])
        var reviewNew = reviewOld
        reviewNew.status.id = PacketID("PAY-13")!
        reviewNew.status.since = "2026-11-10T10:00:00Z"
        let blocked = Self.packet("PAY-14", blocked: true, [entry("2026-11-01T09:00:00Z", .created, nil, .ready)])
        let done = Self.delivered
        let items = Triage.rank([done, reviewNew, blocked, reviewOld, waitingOnDependency, ongoing, draft], asOf: "2026-11-20T00:00:00Z")
        #expect(items.map { $0.id.rawValue } == ["PAY-10", "OPS-2", "PAY-11", "PAY-14", "PAY-12", "PAY-13"])
        #expect(
            items.map { $0.blocker.name } == ["not_ready", "ongoing", "unmet_dependencies", "blocked", "waiting_for_review", "waiting_for_review"])
        #expect(items[0].nextAction == "fix 2 error(s) in the spec (first: specs/PAY-10/context.md:5: placeholder 'TBD')")
        #expect(items[0].owner == .client("payments"))
        #expect(items[2].nextAction == "deliver PAY-10 first")
        #expect(items[4].owner == .reviewers([reviewer]))
        let wait: Int64 = 17 * 86_400 - 10 * 3_600
        #expect(items[4].waiting == wait)
    }
}
