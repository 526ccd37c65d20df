// The flow figures and triage list as JSON: one home for the HTTP API and `handoff report`/`triage --format json`.

/// The flow figures as JSON: the same for the API and `handoff report --format json` (one home: ``FlowJSON``).
public struct FlowJSON: Encodable {
    /// The figures.
    public var report: FlowReport

    /// Wraps a report.
    public init(_ report: FlowReport) { self.report = report }

    /// Encodes the report with snake_case keys, durations in seconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FlowKey.self)
        try container.encode(report.asOf, forKey: "as_of")
        try container.encode(report.packets.map(PacketFlowJSON.init), forKey: "packets")
        try container.encode(report.teams.map(TeamFlowJSON.init), forKey: "teams")
        try container.encode(report.weeks.map(WeekFlowJSON.init), forKey: "weeks")
    }
}

struct PacketFlowJSON: Encodable {
    var flow: PacketFlow

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FlowKey.self)
        try container.encode(flow.id.rawValue, forKey: "id")
        try container.encode(flow.client, forKey: "client")
        try container.encode(flow.state.rawValue, forKey: "state")
        try container.encode(flow.created, forKey: "created")
        try container.encode(flow.delivered, forKey: "delivered")
        try container.encode(flow.leadTime, forKey: "lead_time_seconds")
        try container.encode(flow.waitingReady, forKey: "waiting_ready_seconds")
        try container.encode(flow.inProgress, forKey: "in_progress_seconds")
        try container.encode(flow.inReview, forKey: "in_review_seconds")
        try container.encode(flow.reviewRounds, forKey: "review_rounds")
        try container.encode(flow.readinessAtClaim, forKey: "readiness_at_claim")
    }
}

struct TeamFlowJSON: Encodable {
    var team: TeamFlow

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FlowKey.self)
        try container.encode(team.client, forKey: "client")
        try container.encode(team.packets, forKey: "packets")
        try container.encode(team.delivered, forKey: "delivered")
        try container.encode(team.medianLeadTime, forKey: "median_lead_time_seconds")
        try container.encode(team.medianWaitingReady, forKey: "median_waiting_ready_seconds")
        try container.encode(team.medianInProgress, forKey: "median_in_progress_seconds")
        try container.encode(team.medianInReview, forKey: "median_in_review_seconds")
        try container.encode(team.reviewRounds, forKey: "review_rounds")
        try container.encode(team.medianReadinessAtClaim, forKey: "median_readiness_at_claim")
    }
}

struct WeekFlowJSON: Encodable {
    var week: WeekFlow

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FlowKey.self)
        try container.encode(week.week, forKey: "week")
        try container.encode(week.becameReady, forKey: "became_ready")
        try container.encode(week.claimed, forKey: "claimed")
        try container.encode(week.delivered, forKey: "delivered")
    }
}

/// The triage list as JSON: the same for the API and `handoff triage --format json`.
public struct TriageJSON: Encodable {
    /// The ranked items.
    public var items: [TriageItem]

    /// Wraps a ranked list.
    public init(_ items: [TriageItem]) { self.items = items }

    /// Encodes each item with its blocker's name, next action and owner.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for item in items {
            try container.encode(TriageItemJSON(item: item))
        }
    }
}

struct TriageItemJSON: Encodable {
    var item: TriageItem

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FlowKey.self)
        try container.encode(item.id.rawValue, forKey: "id")
        try container.encode(item.title, forKey: "title")
        try container.encode(item.state.rawValue, forKey: "state")
        try container.encode(item.blocker.name, forKey: "blocker")
        try container.encode(item.nextAction, forKey: "next_action")
        try container.encode(item.owner.text, forKey: "who")
        try container.encode(item.waiting, forKey: "waiting_seconds")
    }
}

struct FlowKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}
