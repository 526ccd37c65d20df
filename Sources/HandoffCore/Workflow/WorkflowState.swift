/// An event of the repository as a whole, shown on the board (e.g. a rejected action on an unknown packet).
public struct BoardEvent: Sendable, Hashable {
    /// The commit's time, ISO 8601 UTC.
    public var at: String
    /// The commit id.
    public var commit: String
    /// The identity that caused it.
    public var by: String
    /// A stable event name: `policy.unauthorized-change`, `policy.invalid`, `history.rewritten`, `rejected`, `tampering`.
    public var event: String
    /// What happened, in one line.
    public var note: String

    /// Creates an event.
    public init(at: String, commit: String, by: String, event: String, note: String) {
        self.at = at
        self.commit = commit
        self.by = by
        self.event = event
        self.note = note
    }
}

/// The fold's state: every packet's status, the policy in force and the board's events.
public struct WorkflowState: Sendable, Hashable {
    /// Status per packet.
    public var packets: [PacketID: PacketStatus]
    /// The last honoured policy.
    public var policy: Policy
    /// Repository-level events, oldest first (bounded: the newest `maxBoardEvents` are kept).
    public var events: [BoardEvent]

    /// Most board events kept.
    public static let maxBoardEvents = 50

    /// The state before the first commit.
    public init(policy: Policy = Policy()) {
        self.packets = [:]
        self.policy = policy
        self.events = []
    }

    /// Adds a board event, keeping only the newest ``maxBoardEvents``.
    public mutating func record(_ event: BoardEvent) {
        events.append(event)
        if events.count > Self.maxBoardEvents { events.removeFirst(events.count - Self.maxBoardEvents) }
    }
}
