/// One repository as its last published status commit holds it: an immutable snapshot that a worker
/// swaps in after it publishes or resumes, and that every HTTP route reads (never the repository itself).
public struct PublishedRepository: Sendable {
    /// The configured name.
    public var name: String
    /// The branch handoffd watches (`main`).
    public var branch: String
    /// The reference the status is read from (the watched branch or the status branch).
    public var statusReference: String
    /// The commit read, nil when the branch has no commit yet.
    public var statusCommit: String?
    /// Its committer time, ISO 8601 UTC: flow figures and triage waits are measured up to it.
    public var publishedAt: String?
    /// Every packet with a status file, by id.
    public var packets: [PublishedPacket]
    /// The board's events, newest first.
    public var events: [BoardEvent]
    private var positions: [PacketID: Int]

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
    }

    /// The packet with this id, if published.
    public func packet(_ id: PacketID) -> PublishedPacket? { positions[id].map { packets[$0] } }

    /// Packets per state, in the workflow's order.
    public var counts: [(state: PacketState, count: Int)] {
        var counts: [PacketState: Int] = [:]
        for packet in packets { counts[packet.status.state, default: 0] += 1 }
        return PacketState.allCases.map { ($0, counts[$0] ?? 0) }
    }

    /// The flow figures of this repository.
    public var flow: FlowReport { FlowFigures.report(packets, asOf: publishedAt) }

    /// The triage list of this repository.
    public var triage: [TriageItem] { Triage.rank(packets, asOf: publishedAt) }
}
