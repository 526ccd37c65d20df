/// How one packet has flowed, from its status file's history (DESIGN.md §5: every time comes from a commit).
public struct PacketFlow: Sendable, Hashable {
    /// The packet.
    public var id: PacketID
    /// Its client team (the manifest's `client`), when known.
    public var client: String?
    /// Its state now.
    public var state: PacketState
    /// When it first appeared (`created`), as written.
    public var created: String?
    /// When it was first delivered, as written.
    public var delivered: String?
    /// Seconds from created to delivered; nil until delivered.
    public var leadTime: Int64?
    /// Seconds spent in `ready` (waiting for a contractor), up to the figures' time for an open stay.
    public var waitingReady: Int64
    /// Seconds spent in `in_progress`.
    public var inProgress: Int64
    /// Seconds spent in `in_review`.
    public var inReview: Int64
    /// How many times it entered review.
    public var reviewRounds: Int
    /// The readiness score when it was last claimed. Status files keep the score at the current spec
    /// revision only, so this is known when the spec has not changed since that claim, and nil otherwise
    /// (and for a packet never claimed).
    public var readinessAtClaim: Int?

    /// A packet's figures from their parts.
    public init(
        id: PacketID, client: String?, state: PacketState, created: String?, delivered: String?, leadTime: Int64?, waitingReady: Int64,
        inProgress: Int64, inReview: Int64, reviewRounds: Int, readinessAtClaim: Int?
    ) {
        self.id = id
        self.client = client
        self.state = state
        self.created = created
        self.delivered = delivered
        self.leadTime = leadTime
        self.waitingReady = waitingReady
        self.inProgress = inProgress
        self.inReview = inReview
        self.reviewRounds = reviewRounds
        self.readinessAtClaim = readinessAtClaim
    }
}

/// A client team's figures: medians over its packets (seconds), counts and review rounds.
public struct TeamFlow: Sendable, Hashable {
    /// The client team (`(none)` for packets whose manifest names none).
    public var client: String
    /// Packets of this team.
    public var packets: Int
    /// Of which delivered.
    public var delivered: Int
    /// Median lead time over delivered packets, seconds; nil when none is delivered.
    public var medianLeadTime: Int64?
    /// Median time waiting ready over packets that were ever ready, seconds.
    public var medianWaitingReady: Int64?
    /// Median time in progress over packets that were ever in progress, seconds.
    public var medianInProgress: Int64?
    /// Median time in review over packets that were ever in review, seconds.
    public var medianInReview: Int64?
    /// Review rounds summed over its packets.
    public var reviewRounds: Int
    /// Median readiness score at claim over packets where it is known.
    public var medianReadinessAtClaim: Int?
}

/// One week's throughput: what became ready, was claimed and was delivered in the week starting on `week`.
public struct WeekFlow: Sendable, Hashable {
    /// The Monday (UTC) that starts the week, `YYYY-MM-DD`.
    public var week: String
    /// Transitions into `ready`.
    public var becameReady: Int
    /// Applied claims.
    public var claimed: Int
    /// Transitions into `delivered`.
    public var delivered: Int

    /// A week's counts.
    public init(week: String, becameReady: Int, claimed: Int, delivered: Int) {
        self.week = week
        self.becameReady = becameReady
        self.claimed = claimed
        self.delivered = delivered
    }
}

/// The flow figures of a set of packets, at a given time.
public struct FlowReport: Sendable, Hashable {
    /// The time open stays are measured up to (the published status commit's time), as written; nil when
    /// unknown, and then open stays count up to their packet's last history entry.
    public var asOf: String?
    /// Per packet, by id.
    public var packets: [PacketFlow]
    /// Per client team, by name.
    public var teams: [TeamFlow]
    /// Per week, oldest first, weeks without any event left out.
    public var weeks: [WeekFlow]
}

/// Flow figures computed from status histories: pure and deterministic (the same histories give the same
/// figures, whatever the clock says), shared by the HTTP API, the dashboard and `handoff report`.
public enum FlowFigures {
    /// The figures of `packets`, open stays measured up to `asOf` (ISO 8601 UTC, from a commit).
    public static func report(_ packets: [PublishedPacket], asOf: String?) -> FlowReport {
        let end = asOf.flatMap(UTCTime.init)
        var flows: [PacketFlow] = []
        var weeks: [String: WeekFlow] = [:]
        func count(_ time: String, _ update: (inout WeekFlow) -> Void) {
            guard let week = UTCTime(time)?.weekStart else { return }
            update(&weeks[week, default: WeekFlow(week: week, becameReady: 0, claimed: 0, delivered: 0)])
        }
        for packet in packets.sorted(by: { $0.id < $1.id }) {
            let flow = packetFlow(packet, until: end)
            flows.append(flow)
            for entry in packet.status.history where entry.rejection == nil && entry.kind != .statusEdit {
                if entry.to == .ready, entry.from != .ready { count(entry.at) { $0.becameReady += 1 } }
                if entry.kind == .workflow(.claim), entry.to == .inProgress, entry.from != .inProgress { count(entry.at) { $0.claimed += 1 } }
                if entry.to == .delivered, entry.from != .delivered { count(entry.at) { $0.delivered += 1 } }
            }
        }
        var byTeam: [String: [PacketFlow]] = [:]
        for flow in flows { byTeam[flow.client ?? "(none)", default: []].append(flow) }
        let teams = byTeam.keys.sorted().map { client -> TeamFlow in
            let members = byTeam[client] ?? []
            let ready = members.filter { $0.waitingReady > 0 }.map(\.waitingReady)
            let progress = members.filter { $0.inProgress > 0 }.map(\.inProgress)
            let review = members.filter { $0.inReview > 0 }.map(\.inReview)
            return TeamFlow(
                client: client, packets: members.count, delivered: members.count { $0.delivered != nil },
                medianLeadTime: median(members.compactMap(\.leadTime)), medianWaitingReady: median(ready),
                medianInProgress: median(progress), medianInReview: median(review),
                reviewRounds: members.reduce(0) { $0 + $1.reviewRounds },
                medianReadinessAtClaim: median(members.compactMap { $0.readinessAtClaim.map(Int64.init) }).map { Int($0) })
        }
        return FlowReport(asOf: asOf, packets: flows, teams: teams, weeks: weeks.keys.sorted().compactMap { weeks[$0] })
    }

    /// One packet's figures: stays in each state summed from the transitions in its history.
    public static func packetFlow(_ packet: PublishedPacket, until end: UTCTime?) -> PacketFlow {
        let history = packet.status.history
        var stays: [PacketState: Int64] = [:]
        var current: (state: PacketState, since: UTCTime)?
        var created: String?
        var delivered: String?
        var rounds = 0
        var lastClaim: Int?
        var last: UTCTime?
        for (index, entry) in history.enumerated() {
            guard entry.rejection == nil, entry.kind != .statusEdit, let time = UTCTime(entry.at) else { continue }
            last = max(last ?? time, time)
            if entry.kind == .created, created == nil { created = entry.at }
            if entry.kind == .workflow(.claim), entry.to == .inProgress { lastClaim = index }
            guard let to = entry.to, to != current?.state else { continue }
            if let current { stays[current.state, default: 0] += max(0, time.seconds - current.since.seconds) }
            current = (to, time)
            if to == .inReview { rounds += 1 }
            if to == .delivered, delivered == nil { delivered = entry.at }
        }
        if let current, current.state.isOpen, let stop = end ?? last {
            stays[current.state, default: 0] += max(0, stop.seconds - current.since.seconds)
        }
        let createdAt = created ?? history.first?.at
        var lead: Int64?
        if let delivered, let from = createdAt.flatMap(UTCTime.init), let to = UTCTime(delivered) { lead = max(0, to.seconds - from.seconds) }
        var atClaim: Int?
        if let lastClaim {
            let changedSince = history[(lastClaim + 1)...].contains { $0.kind == .specChange && $0.rejection == nil }
            atClaim = changedSince ? nil : packet.status.score
        }
        return PacketFlow(
            id: packet.id, client: packet.client, state: packet.status.state, created: createdAt, delivered: delivered, leadTime: lead,
            waitingReady: stays[.ready] ?? 0, inProgress: stays[.inProgress] ?? 0, inReview: stays[.inReview] ?? 0,
            reviewRounds: rounds, readinessAtClaim: atClaim)
    }

    /// The median of `values` (the mean of the two middle ones, rounded down, for an even count); nil when empty.
    static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// A duration for people: `3d 4h`, `2h 5m`, `45s`.
    public static func duration(_ seconds: Int64) -> String {
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3_600
        let minutes = seconds % 3_600 / 60
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m" }
        return "\(seconds)s"
    }
}
