/// One packet as the last published status commit holds it: its status file, and what its files at that
/// commit say about scope, client team, acceptance criteria and delivery evidence. What the HTTP API, the
/// dashboard, `handoff report` and `handoff triage` read; never anything git does not hold.
public struct PublishedPacket: Sendable, Hashable {
    /// The status file, parsed.
    public var status: PacketStatus
    /// The manifest's scope, when it could be read.
    public var scope: Manifest.Scope?
    /// The manifest's client team, when it could be read.
    public var client: String?
    /// The acceptance criteria in order, with their text.
    public var criteria: [PublishedCriterion]
    /// Whether the packet has a delivery note.
    public var hasDeliveryNote: Bool
    /// The packet folder's tree id at the published commit: a reader reuses what it read when this is unchanged.
    public var folderTree: String?

    /// A published packet from its parts.
    public init(
        status: PacketStatus, scope: Manifest.Scope? = nil, client: String? = nil, criteria: [PublishedCriterion] = [],
        hasDeliveryNote: Bool = false
    ) {
        self.status = status
        self.scope = scope
        self.client = client
        self.criteria = criteria
        self.hasDeliveryNote = hasDeliveryNote
    }

    /// The packet id.
    public var id: PacketID { status.id }
}

/// An acceptance criterion beside the evidence its delivery note gives for it.
public struct PublishedCriterion: Sendable, Hashable {
    /// The id (`AC-1`), or nil when the criterion has none.
    public var id: String?
    /// The file and line where it is written.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The criterion's text.
    public var text: String
    /// Evidence listed for it in the delivery note, as written (paths, commit ids, URLs); empty when none.
    public var evidence: [DeliveryCheck.Evidence]

    /// A criterion from its parts.
    public init(id: String?, file: String, line: Int, text: String, evidence: [DeliveryCheck.Evidence] = []) {
        self.id = id
        self.file = file
        self.line = line
        self.text = text
        self.evidence = evidence
    }
}

extension DeliveryCheck.Evidence {
    /// The evidence as written in the delivery note.
    public var text: String {
        switch self {
        case .path(let value), .commit(let value), .url(let value): value
        }
    }

    /// `path`, `commit` or `url`.
    public var kindName: String {
        switch self {
        case .path: "path"
        case .commit: "commit"
        case .url: "url"
        }
    }
}

/// Reads what a published packet shows besides its status file, from a packet folder in any tree view.
public enum PacketMaterial {
    /// The manifest's scope and client, the criteria and the delivery evidence of the packet in `folder`.
    /// Files that are missing, too large or malformed give nothing rather than an error: the status file's
    /// findings already say what is wrong with them.
    public static func read(folder: String, id: PacketID, status: PacketStatus, in view: any TreeView, limits: CheckLimits = .default)
        throws -> PublishedPacket
    {
        var packet = PublishedPacket(status: status)
        var cost = CheckCost()
        if case .text(let text) = try TextFile.read("\(folder)/\(Manifest.fileName)", from: view, limits: limits) {
            let manifest = Manifest.parse(text, file: "\(folder)/\(Manifest.fileName)", folderID: id.rawValue, limits: limits, cost: &cost).0
            packet.scope = manifest?.scope
            packet.client = manifest.map(\.client).flatMap { $0.isEmpty ? nil : $0 }
        }
        var criteria: [AcceptanceCheck.Criterion] = []
        var file = "\(folder)/\(AcceptanceCheck.markdownFile)"
        if case .text(let text) = try TextFile.read(file, from: view, limits: limits) {
            criteria = AcceptanceCheck.markdownCriteria(text)
        } else {
            file = "\(folder)/\(AcceptanceCheck.gherkinFile)"
            if case .text(let text) = try TextFile.read(file, from: view, limits: limits) { criteria = AcceptanceCheck.gherkinCriteria(text) }
        }
        var evidence: [String: [DeliveryCheck.Evidence]] = [:]
        if case .text(let text) = try TextFile.read("\(folder)/\(DeliveryCheck.fileName)", from: view, limits: limits) {
            packet.hasDeliveryNote = true
            for entry in AcceptanceCheck.markdownCriteria(text) {
                guard let criterion = entry.id else { continue }
                evidence[criterion, default: []] += DeliveryCheck.parseEvidence(entry.text)
            }
        }
        packet.criteria = criteria.map {
            PublishedCriterion(id: $0.id, file: file, line: $0.line, text: $0.text, evidence: $0.id.flatMap { evidence[$0] } ?? [])
        }
        return packet
    }
}
