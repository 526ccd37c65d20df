import HandoffCore

// The JSON bodies of the read API, as `openapi.yaml` describes them (snake_case keys, nulls written).

struct RepositoryJSON: Encodable {
    var name: String
    var branch: String?
    var statusReference: String?
    var statusCommit: String?
    var publishedAt: String?
    var firstPassDone: Bool
    var stalled: String?
    var counts: [String: Int]

    init(name: String, entry: SnapshotStore.Entry) {
        self.name = name
        let snapshot = entry.snapshot
        branch = snapshot?.branch
        statusReference = snapshot?.statusReference
        statusCommit = snapshot?.statusCommit
        publishedAt = snapshot?.publishedAt
        firstPassDone = entry.firstPassDone
        stalled = entry.stall
        counts = Dictionary(uniqueKeysWithValues: PacketState.allCases.map { ($0.rawValue, 0) })
        for row in snapshot?.counts ?? [] { counts[row.state.rawValue] = row.count }
    }

    enum CodingKeys: String, CodingKey {
        case name, branch, counts, stalled
        case statusReference = "status_reference"
        case statusCommit = "status_commit"
        case publishedAt = "published_at"
        case firstPassDone = "first_pass_done"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(branch, forKey: .branch)
        try container.encode(statusReference, forKey: .statusReference)
        try container.encode(statusCommit, forKey: .statusCommit)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(firstPassDone, forKey: .firstPassDone)
        try container.encode(stalled, forKey: .stalled)
        try container.encode(counts, forKey: .counts)
    }
}

struct PacketSummaryJSON: Encodable {
    var id: String
    var title: String
    var state: String
    var since: String
    var assignee: String?
    var blocked: Bool
    var scope: String?
    var client: String?
    var score: Int
    var errors: Int
    var warnings: Int

    init(_ packet: PublishedPacket) {
        let status = packet.status
        id = status.id.rawValue
        title = status.title
        state = status.state.rawValue
        since = status.since
        assignee = status.assignee
        blocked = status.blocked
        scope = packet.scope?.rawValue
        client = packet.client
        score = status.score
        errors = status.errors
        warnings = status.warnings
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(id, forKey: "id")
        try container.encode(title, forKey: "title")
        try container.encode(state, forKey: "state")
        try container.encode(since, forKey: "since")
        try container.encode(assignee, forKey: "assignee")
        try container.encode(blocked, forKey: "blocked")
        try container.encode(scope, forKey: "scope")
        try container.encode(client, forKey: "client")
        try container.encode(score, forKey: "score")
        try container.encode(errors, forKey: "errors")
        try container.encode(warnings, forKey: "warnings")
    }
}

struct FindingJSON: Encodable {
    var finding: Finding

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(finding.rule, forKey: "rule")
        try container.encode(finding.severity.rawValue, forKey: "severity")
        try container.encode(finding.file, forKey: "file")
        try container.encode(finding.line, forKey: "line")
        try container.encode(finding.column, forKey: "column")
        try container.encode(finding.message, forKey: "message")
        try container.encode(finding.hint, forKey: "hint")
    }
}

struct HistoryJSON: Encodable {
    var entry: HistoryEntry

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(entry.at, forKey: "at")
        try container.encode(entry.commit, forKey: "commit")
        try container.encode(entry.by, forKey: "by")
        try container.encode(entry.action, forKey: "action")
        try container.encode(entry.from?.rawValue, forKey: "from")
        try container.encode(entry.to?.rawValue, forKey: "to")
        try container.encode(outcomeName(entry.outcome), forKey: "outcome")
        try container.encode(entry.note, forKey: "note")
    }
}

/// `applied`, `rejected` or `tampering`.
func outcomeName(_ outcome: HistoryOutcome) -> String {
    switch outcome {
    case .applied: "applied"
    case .rejected: "rejected"
    case .tampering: "tampering"
    }
}

struct PacketDetailJSON: Encodable {
    var packet: PublishedPacket

    func encode(to encoder: any Encoder) throws {
        let status = packet.status
        try PacketSummaryJSON(packet).encode(to: encoder)
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(status.reviewers, forKey: "reviewers")
        try container.encode(status.round, forKey: "round")
        try container.encode(status.specRevision, forKey: "spec_revision")
        try container.encode(status.dependsOn, forKey: "depends_on")
        try container.encode(status.findings.map(FindingJSON.init), forKey: "findings")
        try container.encode(status.history.map(HistoryJSON.init), forKey: "history")
        try container.encode(packet.hasDeliveryNote, forKey: "has_delivery_note")
        try container.encode(packet.criteria.map(CriterionJSON.init), forKey: "criteria")
    }
}

struct CriterionJSON: Encodable {
    var criterion: PublishedCriterion

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(criterion.id, forKey: "id")
        try container.encode(criterion.file, forKey: "file")
        try container.encode(criterion.line, forKey: "line")
        try container.encode(criterion.text, forKey: "text")
        try container.encode(criterion.evidence.map { ["kind": $0.kindName, "value": $0.text] }, forKey: "evidence")
    }
}

struct EventJSON: Encodable {
    var event: BoardEvent

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(event.at, forKey: "at")
        try container.encode(event.commit, forKey: "commit")
        try container.encode(event.by, forKey: "by")
        try container.encode(event.event, forKey: "event")
        try container.encode(event.note, forKey: "note")
    }
}

struct PageJSON<Item: Encodable>: Encodable {
    var items: [Item]
    var total: Int
    var limit: Int
    var offset: Int
}

struct AnyKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}
