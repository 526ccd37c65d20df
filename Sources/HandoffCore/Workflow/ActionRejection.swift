/// Why the fold refused an action. Recorded in the packet's history as `rejected: <reason>`; the text is
/// derived from the case, so the decision never depends on a message.
public enum ActionRejection: Hashable, Sendable {
    /// The action is not possible in the packet's current state.
    case wrongState(WorkflowAction, PacketState)
    /// The committer's roles do not allow the action on this packet.
    case notPermitted(WorkflowAction)
    /// A reviewer who is also the packet's assignee reviewed the delivery they submitted (DESIGN.md §4).
    case ownDelivery(WorkflowAction, reviewer: String)
    /// A claim on a blocked packet.
    case blocked
    /// A claim before the packet's dependencies are delivered.
    case dependenciesNotDelivered([String])
    /// A submit whose delivery note has findings.
    case deliveryIncomplete([Finding])
    /// A submit that reached the fold without its delivery note checked.
    case deliveryNotChecked
    /// A block of a blocked packet, or an unblock of an unblocked one.
    case alreadyInBlockState(blocked: Bool)

    /// Most delivery findings named in one note: the rest are counted, so a history entry stays small.
    static let maxListedFindings = 10

    /// The reason as written after `rejected: ` in the packet's history.
    public var reason: String {
        switch self {
        case .wrongState(let action, let state):
            switch action {
            case .claim: "only a ready packet can be claimed (it is \(state.rawValue))"
            case .unclaim: "only a packet in progress can be unclaimed"
            case .submit: "only a packet in progress can be submitted (it is \(state.rawValue))"
            case .accept: "only a packet in review can be accepted (it is \(state.rawValue))"
            case .requestChanges: "changes can be requested only in review (it is \(state.rawValue))"
            case .cancel: "a \(state.rawValue) packet cannot be cancelled"
            case .reopen: "only a cancelled packet can be reopened"
            case .block: "a \(state.rawValue) packet cannot be blocked"
            case .unblock: "a \(state.rawValue) packet cannot be unblocked"
            }
        case .notPermitted(let action):
            switch action {
            case .claim: "only contractors may claim"
            case .unclaim: "only the assignee or an operator may unclaim"
            case .submit: "only the assignee may submit"
            case .accept: "only a reviewer of the packet may accept"
            case .requestChanges: "only a reviewer of the packet may request changes"
            case .cancel: "only clients and operators may cancel"
            case .reopen: "only clients and operators may reopen"
            case .block, .unblock: "only clients, the assignee and operators may \(action.rawValue)"
            }
        case .ownDelivery(let action, let reviewer):
            "nobody reviews their own delivery: \(reviewer) submitted it, so another reviewer of the packet must \(action.rawValue)"
        case .blocked:
            "the packet is blocked"
        case .dependenciesNotDelivered(let missing):
            "dependencies not delivered yet: \(missing.joined(separator: ", "))"
        case .deliveryIncomplete(let findings):
            "delivery note incomplete: "
                + findings.prefix(Self.maxListedFindings).map { $0.truncated(to: [Finding].maxMessageCharacters).message }.joined(separator: "; ")
                + (findings.count > Self.maxListedFindings ? "; and \(findings.count - Self.maxListedFindings) more" : "")
        case .deliveryNotChecked:
            "the delivery note was not checked"
        case .alreadyInBlockState(let blocked):
            "the packet is already \(blocked ? "blocked" : "unblocked")"
        }
    }
}
