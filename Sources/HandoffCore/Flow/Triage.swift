/// What holds an open packet up, most fundamental first: the reason `handoff triage` and the dashboard rank by.
public enum TriageBlocker: Sendable, Hashable {
    /// The spec has errors: not ready to hand off. Carries the error count and the first error.
    case notReady(errors: Int, first: Finding?)
    /// `scope: ongoing`: work that needs a long-term owner, which cannot be handed off as a packet.
    case ongoing
    /// Packets it depends on that are not delivered (or do not exist).
    case unmetDependencies([String])
    /// Someone blocked it; carries who, when the history says.
    case blocked(by: String?)
    /// Delivered work waiting for a reviewer.
    case waitingForReview
    /// Ready, waiting for a contractor to claim it.
    case waitingForClaim
    /// Claimed and being worked on.
    case inProgress

    /// Rank of the kind of blocker: lower comes first.
    public var rank: Int {
        switch self {
        case .notReady: 0
        case .ongoing: 1
        case .unmetDependencies: 2
        case .blocked: 3
        case .waitingForReview: 4
        case .waitingForClaim: 5
        case .inProgress: 6
        }
    }

    /// A stable name for machines: `not_ready`, `ongoing`, `unmet_dependencies`, `blocked`, `waiting_for_review`, …
    public var name: String {
        switch self {
        case .notReady: "not_ready"
        case .ongoing: "ongoing"
        case .unmetDependencies: "unmet_dependencies"
        case .blocked: "blocked"
        case .waitingForReview: "waiting_for_review"
        case .waitingForClaim: "waiting_for_claim"
        case .inProgress: "in_progress"
        }
    }
}

/// Who must take a packet's next action.
public enum TriageOwner: Sendable, Hashable {
    /// The client team that owns the packet (its manifest's `client`, when known).
    case client(String?)
    /// The packet's reviewers.
    case reviewers([String])
    /// The contractor who claimed it.
    case assignee(String)
    /// Any contractor.
    case contractors
    /// One identity (who blocked it).
    case identity(String)

    /// For people: `client team payments`, `reviewers ana@acme.example`, …
    public var text: String {
        switch self {
        case .client(let team): team.map { "client team \($0)" } ?? "the client team"
        case .reviewers(let emails):
            emails.isEmpty ? "a reviewer (none listed: add reviewers to the manifest)" : "reviewers \(emails.joined(separator: ", "))"
        case .assignee(let email): "assignee \(email)"
        case .contractors: "a contractor"
        case .identity(let email): email
        }
    }
}

/// One open packet in the triage list: what blocks it, the one next action and who must take it.
public struct TriageItem: Sendable, Hashable {
    /// The packet.
    public var id: PacketID
    /// Its title.
    public var title: String
    /// Its state.
    public var state: PacketState
    /// What holds it up.
    public var blocker: TriageBlocker
    /// Who must act.
    public var owner: TriageOwner
    /// Seconds since it entered its state (up to the list's time); 0 when unknown.
    public var waiting: Int64

    /// The one next action, for people.
    public var nextAction: String {
        switch blocker {
        case .notReady(let errors, let first):
            "fix \(errors) error(s) in the spec" + (first.map { " (first: \($0.file)\($0.line > 0 ? ":\($0.line)" : ""): \($0.message))" } ?? "")
        case .ongoing: "keep it in-house or split it into finite packets, then cancel this one (scope: ongoing cannot be handed off)"
        case .unmetDependencies(let ids): "deliver \(ids.joined(separator: ", ")) first"
        case .blocked: "resolve the block, then unblock it (handoff unblock \(id))"
        case .waitingForReview: "review the delivery: handoff accept \(id) or handoff request-changes \(id)"
        case .waitingForClaim: "claim it: handoff claim \(id)"
        case .inProgress: "deliver and submit: handoff submit \(id)"
        }
    }
}

/// Ranks open packets by what blocks them: pure, from published status and manifests.
public enum Triage {
    /// The open packets of `packets`, most fundamental blocker first, longest waiting first within one kind.
    /// `asOf` (ISO 8601 UTC, the published status commit's time) measures the waits.
    public static func rank(_ packets: [PublishedPacket], asOf: String?) -> [TriageItem] {
        let byID = Dictionary(packets.map { ($0.id.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
        let end = asOf.flatMap(UTCTime.init)
        let items = packets.filter { $0.status.state.isOpen }.map { packet -> TriageItem in
            let status = packet.status
            let waiting = end.flatMap { end in UTCTime(status.since).map { max(0, end.seconds - $0.seconds) } } ?? 0
            let (blocker, owner) = blocker(of: packet, among: byID)
            return TriageItem(id: status.id, title: status.title, state: status.state, blocker: blocker, owner: owner, waiting: waiting)
        }
        return items.sorted {
            ($0.blocker.rank, -$0.waiting, $0.id.rawValue) < ($1.blocker.rank, -$1.waiting, $1.id.rawValue)
        }
    }

    static func blocker(of packet: PublishedPacket, among all: [String: PublishedPacket]) -> (TriageBlocker, TriageOwner) {
        let status = packet.status
        let client = TriageOwner.client(packet.client)
        if packet.scope == .ongoing { return (.ongoing, client) }
        if status.errors > 0, status.state == .draft || status.state == .ready {
            return (.notReady(errors: status.errors, first: status.findings.first { $0.severity == .error }), client)
        }
        let unmet = status.dependsOn.filter { all[$0]?.status.state != .delivered }
        if !unmet.isEmpty, status.state == .draft || status.state == .ready { return (.unmetDependencies(unmet), client) }
        if status.blocked {
            let by = status.history.last { $0.kind == .workflow(.block) && $0.rejection == nil }?.by
            return (.blocked(by: by), by.map(TriageOwner.identity) ?? client)
        }
        switch status.state {
        case .inReview: return (.waitingForReview, .reviewers(status.reviewers))
        case .inProgress: return (.inProgress, .assignee(status.assignee ?? "(unknown)"))
        case .ready: return (.waitingForClaim, .contractors)
        case .draft, .delivered, .cancelled:
            return (.notReady(errors: status.errors, first: status.findings.first { $0.severity == .error }), client)
        }
    }
}
