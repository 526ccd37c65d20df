/// One line of a packet's history: who did what, when (from the commit), and how it ended.
public struct HistoryEntry: Sendable, Hashable {
    /// The commit's time, ISO 8601 in UTC.
    public var at: String
    /// The commit id.
    public var commit: String
    /// The identity (email) that made the commit.
    public var by: String
    /// What the entry is about: an action, or a change to the packet's files.
    public var kind: HistoryAction
    /// State before.
    public var from: PacketState?
    /// State after (equal to `from` when nothing changed, e.g. a rejected action).
    public var to: PacketState?
    /// Applied, rejected (and why), or tampering.
    public var outcome: HistoryOutcome

    /// Creates a history entry.
    public init(
        at: String, commit: String, by: String, kind: HistoryAction, from: PacketState?, to: PacketState?,
        outcome: HistoryOutcome
    ) {
        self.at = at
        self.commit = commit
        self.by = by
        self.kind = kind
        self.from = from
        self.to = to
        self.outcome = outcome
    }

    /// The entry that `status.yaml` writes as these fields: the inverse of ``action`` and ``note``.
    public init(at: String, commit: String, by: String, action: String, from: PacketState?, to: PacketState?, note: String) {
        let kind = HistoryAction(name: action)
        let outcome: HistoryOutcome
        if kind == .statusEdit {
            outcome = .tampering
        } else if note.hasPrefix(HistoryOutcome.rejectedPrefix) {
            let reason = String(note.dropFirst(HistoryOutcome.rejectedPrefix.count))
            outcome = .rejected(Rejection.reading(reason, action: kind, identity: by, from: from))
        } else {
            outcome = .applied(note: note)
        }
        self.init(at: at, commit: commit, by: by, kind: kind, from: from, to: to, outcome: outcome)
    }

    /// The `action` field as written in `status.yaml` (`claim`, `spec-change`, `tampering`, …).
    public var action: String { kind.name }

    /// The `note` field as written in `status.yaml`: the action's text, `rejected: <reason>`, or the tampering note.
    public var note: String { outcome.note }

    /// The rejection, when the entry is one.
    public var rejection: Rejection? {
        if case .rejected(let rejection) = outcome { rejection } else { nil }
    }

    /// Equal when written the same: an entry read back from `status.yaml` equals the one the fold made,
    /// even where the file cannot hold the payload (a rejected submit's findings).
    public static func == (lhs: HistoryEntry, rhs: HistoryEntry) -> Bool {
        lhs.at == rhs.at && lhs.commit == rhs.commit && lhs.by == rhs.by && lhs.action == rhs.action && lhs.from == rhs.from
            && lhs.to == rhs.to && lhs.note == rhs.note
    }

    /// Hashes the written form, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for field in [at, commit, by, action, note] { hasher.combine(field) }
        hasher.combine(from)
        hasher.combine(to)
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
