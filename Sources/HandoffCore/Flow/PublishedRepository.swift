/// One repository as its last published status commit holds it: an immutable snapshot (its flow figures and
/// triage list computed once, when it is made) that a worker
/// swaps in after it publishes or resumes, and that every HTTP route reads (never the repository itself).
public struct PublishedRepository: Sendable {
    /// The configured name.
    public let name: String
    /// The branch handoffd watches (`main`).
    public let branch: String
    /// The reference the status is read from (the watched branch or the status branch).
    public let statusReference: String
    /// The commit read, nil when the branch has no commit yet.
    public let statusCommit: String?
    /// Its committer time, ISO 8601 UTC: flow figures and triage waits are measured up to it.
    public let publishedAt: String?
    /// Every packet with a status file, by id.
    public let packets: [PublishedPacket]
    /// The board's events, newest first.
    public let events: [BoardEvent]
    /// The flow figures of this repository, computed once when the snapshot is made.
    public let flow: FlowReport
    /// The triage list of this repository, computed once when the snapshot is made.
    public let triage: [TriageItem]
    private let positions: [PacketID: Int]
    private let stateCounts: [PacketState: Int]

    /// A snapshot from its parts; packets are sorted by id.
    public init(
        name: String, branch: String, statusReference: String, statusCommit: String?, publishedAt: String?, packets: [PublishedPacket],
        events: [BoardEvent]
    ) {
        self.name = name
        self.branch = branch
        self.statusReference = statusReference
        self.statusCommit = statusCommit
        self.publishedAt = publishedAt
        self.packets = packets.sorted { $0.id < $1.id }
        self.events = events
        positions = Dictionary(self.packets.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var stateCounts: [PacketState: Int] = [:]
        for packet in self.packets { stateCounts[packet.status.state, default: 0] += 1 }
        self.stateCounts = stateCounts
        flow = FlowFigures.report(self.packets, asOf: publishedAt)
        triage = Triage.rank(self.packets, asOf: publishedAt)
    }

    /// The packet with this id, if published.
    public func packet(_ id: PacketID) -> PublishedPacket? { positions[id].map { packets[$0] } }

    /// Packets per state, in the workflow's order.
    public var counts: [(state: PacketState, count: Int)] { PacketState.allCases.map { ($0, stateCounts[$0] ?? 0) } }
}
