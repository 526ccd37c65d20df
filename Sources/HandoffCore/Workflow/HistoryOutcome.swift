import Foundation

/// What a packet's history entry is about: a workflow action, or a change to the packet's files.
public enum HistoryAction: Hashable, Sendable {
    /// A `Handoff:` trailer action.
    case workflow(WorkflowAction)
    /// The packet's first appearance.
    case created
    /// A change outside `delivery/`.
    case specChange
    /// A change under `delivery/`.
    case deliveryChange
    /// The packet's folder lost its manifest.
    case removal
    /// Someone other than handoffd wrote `status.yaml`.
    case statusEdit
    /// A name read back from a status file that this version does not know (kept verbatim).
    case other(String)

    /// The name written in `status.yaml`'s `action` field.
    public var name: String {
        switch self {
        case .workflow(let action): action.rawValue
        case .created: "created"
        case .specChange: "spec-change"
        case .deliveryChange: "delivery-change"
        case .removal: "remove"
        case .statusEdit: "tampering"
        case .other(let name): name
        }
    }

    /// The action written as `name` (``other(_:)`` when unknown).
    public init(name: String) {
        let known: [HistoryAction] = [.created, .specChange, .deliveryChange, .removal, .statusEdit]
        if let action = WorkflowAction(rawValue: name) {
            self = .workflow(action)
        } else {
            self = known.first { $0.name == name } ?? .other(name)
        }
    }
}

/// Why the fold refused a commit's action or change. The text is derived from the case; decisions use the case.
public enum Rejection: Hashable, Sendable {
    /// A workflow action the packet's state or the committer's roles do not allow.
    case action(ActionRejection)
    /// The committer holds no role in the repository.
    case noRole(identity: String)
    /// The commit has no verified signature (`participant_identity: signature`), so it holds no role.
    case unverified(SignatureProblem)
    /// A change outside `delivery/` by someone who is neither client nor operator.
    case specChangeNotPermitted
    /// A packet removed by someone who is neither client nor operator.
    case removalNotPermitted
    /// A change under `delivery/` by someone who is neither the assignee nor an operator.
    case deliveryChangeNotPermitted
    /// A change of a file whose tree version holds a refused change: it builds on content not in force.
    case buildsOnRefusedChange(path: String, refusedBy: String)
    /// A rejection read back from a status file whose reason this version cannot rebuild (kept verbatim).
    case recorded(reason: String)

    /// The reason, as written after `rejected: ` in the history.
    public var reason: String {
        switch self {
        case .action(let rejection): rejection.reason
        case .noRole(let identity): "\(identity) holds no role in this repository"
        case .unverified(let problem): "no verified identity: \(problem.reason)"
        case .specChangeNotPermitted: "only clients and operators may change a packet outside delivery/"
        case .removalNotPermitted: "only clients and operators may remove a packet"
        case .deliveryChangeNotPermitted: "only the assignee and operators may change delivery/"
        case .buildsOnRefusedChange(let path, let refusedBy):
            "\(path) is not in force: it holds a refused change (commit \(refusedBy.prefix(12))); restore its version in force, then change it"
        case .recorded(let reason): reason
        }
    }

    /// Whether the committer lacked a role the action or change needs (as opposed to a wrong state or content).
    public var isMissingRole: Bool {
        switch self {
        case .action(.notPermitted), .action(.ownDelivery), .noRole, .unverified, .specChangeNotPermitted, .removalNotPermitted,
            .deliveryChangeNotPermitted:
            true
        case .action, .recorded, .buildsOnRefusedChange:
            false
        }
    }

    /// The rejection whose rendering is `reason` for an entry about `action` by `identity` in state `from`:
    /// the inverse of ``reason`` for every case whose payload the entry itself holds, else ``recorded(reason:)``.
    static func reading(_ reason: String, action: HistoryAction, identity: String, from: PacketState?) -> Rejection {
        var candidates: [Rejection] = []
        switch action {
        case .workflow(let workflow):
            candidates = [
                .action(.notPermitted(workflow)), .action(.ownDelivery(workflow, reviewer: identity)), .action(.blocked),
                .action(.deliveryNotChecked), .action(.alreadyInBlockState(blocked: true)),
                .action(.alreadyInBlockState(blocked: false)),
            ]
            if let from { candidates.append(.action(.wrongState(workflow, from))) }
            let dependencies = ActionRejection.dependenciesNotDelivered([]).reason
            if reason.hasPrefix(dependencies) {
                let names = reason.dropFirst(dependencies.count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                candidates.append(.action(.dependenciesNotDelivered(names)))
            }
        case .specChange, .created:
            candidates = [.noRole(identity: identity), .specChangeNotPermitted]
        case .removal:
            candidates = [.removalNotPermitted]
        case .deliveryChange:
            candidates = [.deliveryChangeNotPermitted]
        case .statusEdit, .other:
            break
        }
        candidates += SignatureProblem.allCases.map { .unverified($0) }
        return candidates.first { $0.reason == reason } ?? .recorded(reason: reason)
    }
}

/// How an entry ended: applied (with the action's note), rejected (with why), or tampering written back.
public enum HistoryOutcome: Hashable, Sendable {
    /// The action or change took effect; the note is the action's free text or what the change did.
    case applied(note: String)
    /// Nothing changed; the rejection says why.
    case rejected(Rejection)
    /// A status file written by someone other than handoffd: recorded and written back.
    case tampering

    /// The prefix a rejection's note carries in `status.yaml`.
    static let rejectedPrefix = "rejected: "
    /// The note of a tampering entry.
    static let tamperingNote = "status.yaml is written by handoffd only; written back"

    /// The `note` field as written in `status.yaml`.
    public var note: String {
        switch self {
        case .applied(let note): note
        case .rejected(let rejection): Self.rejectedPrefix + rejection.reason
        case .tampering: Self.tamperingNote
        }
    }

    /// Whether the outcome is one the pre-receive hook refuses a push for.
    public var refusesPush: Bool {
        switch self {
        case .applied: false
        case .rejected, .tampering: true
        }
    }
}
