/// One line of a packet's history: who did what, when (from the commit), and what it changed.
public struct HistoryEntry: Sendable, Hashable {
    /// The commit's time, ISO 8601 in UTC.
    public var at: String
    /// The commit id.
    public var commit: String
    /// The identity (email) that made the commit.
    public var by: String
    /// What happened: an action (`claim`), or an event (`spec-change`, `delivery-change`, `tampering`, …).
    public var action: String
    /// State before.
    public var from: PacketState?
    /// State after (equal to `from` when nothing changed, e.g. a rejected action).
    public var to: PacketState?
    /// Free text: the action's note, or why it was rejected (`rejected: …`).
    public var note: String

    /// Creates a history entry.
    public init(at: String, commit: String, by: String, action: String, from: PacketState?, to: PacketState?, note: String) {
        self.at = at
        self.commit = commit
        self.by = by
        self.action = action
        self.from = from
        self.to = to
        self.note = note
    }
}

/// A packet's complete status: what `status.yaml` holds (DESIGN.md §5), in its fixed key order.
public struct PacketStatus: Sendable, Hashable {
    /// The packet id.
    public var id: PacketID
    /// The manifest's title.
    public var title: String
    /// The state.
    public var state: PacketState
    /// When the state was entered (ISO 8601 UTC, from the commit).
    public var since: String
    /// The contractor who claimed it.
    public var assignee: String?
    /// Reviewer emails from the manifest.
    public var reviewers: [String]
    /// Review round, starting at 1.
    public var round: Int
    /// Whether someone blocked it.
    public var blocked: Bool
    /// The last commit that changed the spec (anything outside `delivery/`).
    public var specRevision: String
    /// Readiness score and counts at the spec revision.
    public var score: Int
    /// Error findings.
    public var errors: Int
    /// Warning findings.
    public var warnings: Int
    /// The findings of the last check.
    public var findings: [Finding]
    /// Dependencies named by the manifest (kept to judge `claim`).
    public var dependsOn: [String]
    /// Everything that happened, oldest first.
    public var history: [HistoryEntry]

    /// A new packet's status, before any check.
    public init(id: PacketID, since: String, specRevision: String) {
        self.id = id
        self.title = ""
        self.state = .draft
        self.since = since
        self.assignee = nil
        self.reviewers = []
        self.round = 1
        self.blocked = false
        self.specRevision = specRevision
        self.score = 0
        self.errors = 0
        self.warnings = 0
        self.findings = []
        self.dependsOn = []
        self.history = []
    }

    /// Takes the outcome of a check: title, reviewers, dependencies, readiness and findings.
    mutating func absorb(_ report: PacketReport) {
        title = report.manifest?.title ?? title
        reviewers = report.manifest?.reviewers ?? reviewers
        dependsOn = report.manifest?.dependsOn ?? dependsOn
        score = report.score
        errors = report.errorCount
        warnings = report.warningCount
        findings = report.findings
    }
}
