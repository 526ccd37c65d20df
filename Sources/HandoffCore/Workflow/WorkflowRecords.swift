/// The reference of what handoffd records in a packet's history and on the board, generated from the
/// cases themselves (each switch is exhaustive, so a new case cannot go undocumented).
public enum WorkflowRecords {
    /// One representative of each history action, for the reference.
    static let actions: [HistoryAction] =
        WorkflowAction.allCases.map(HistoryAction.workflow)
        + [.created, .specChange, .deliveryChange, .removal, .statusEdit]

    /// What a history action records.
    static func meaning(of action: HistoryAction) -> String {
        switch action {
        case .workflow(let action): "a `Handoff: \(action.rawValue) <ID>` trailer"
        case .created: "the packet's first commit"
        case .specChange: "a change outside `delivery/`"
        case .deliveryChange: "a change under `delivery/`"
        case .removal: "the packet's manifest removed"
        case .statusEdit: "`status.yaml` written by someone other than handoffd (outcome: tampering, written back)"
        case .other: "an action name written by a later version"
        }
    }

    /// One representative of each board event, for the reference.
    static let events: [BoardEventKind] = {
        let id = PacketID("PAY-142")!
        return [
            .boardTampering, .signersTampering, .malformedTrailer(TrailerProblem(value: "", reason: "")), .trailerInSubject(""), .strayFolder(""),
            .unknownPacket(.claim, id),
            .deliveryOutsidePacket(id), .changeRejected(.specChange, id, .specChangeNotPermitted), .commitUnreadable(""),
            .packetRemoved(id, by: ""), .policyUnauthorized(identity: ""), .policyNotInForce(refusedBy: ""), .policyInvalid(problems: 1, first: ""),
            .policyChanged(by: ""), .historyRewritten(lost: "", reference: ""), .statusBranchTampering(commits: 1),
        ]
    }()

    /// What a board event records.
    static func meaning(of event: BoardEventKind) -> String {
        switch event {
        case .boardTampering: "`.handoff/board.md` or its pages written by someone other than handoffd; written back"
        case .signersTampering: "`.handoff/allowed_signers` (handoffd's public keys) written by someone other than handoffd; written back"
        case .malformedTrailer: "a `Handoff:` trailer that does not parse"
        case .trailerInSubject: "a subject line written like a `Handoff:` trailer, which git does not read as one; nothing asked"
        case .strayFolder: "a folder under the packet root not named like a packet id; nothing in it is checked"
        case .unknownPacket: "an action naming a packet that does not exist"
        case .deliveryOutsidePacket: "a `delivery/` change in a folder that is not a packet"
        case .changeRejected: "a refused change to a folder that is not a packet yet"
        case .commitUnreadable: "a commit that cannot be read whole: its actions and changes are refused"
        case .packetRemoved: "a packet removed by a client or operator"
        case .policyUnauthorized: "a policy change by someone who is not an operator; ignored"
        case .policyNotInForce: "a policy change on top of a refused one; not in force until the file is restored"
        case .policyInvalid: "an operator's policy change with problems; the last good policy stays"
        case .policyChanged: "an operator's valid policy change, in force from that commit"
        case .historyRewritten: "covered history left the branch (force-push); status rebuilt from the first commit"
        case .statusBranchTampering: "commits on the status branch that handoffd did not write; the last genuine status written back"
        case .recorded: "an event read back from a board"
        }
    }

    /// The Markdown section of `docs/rules.md` on history entries and board events.
    public static var markdownReference: String {
        var text =
            "\n## Workflow records\n\nEvery history entry in `status.yaml` has an `action` and ends applied, "
            + "rejected (its note is `rejected: <reason>`) or as tampering; a push whose commit earns a rejection or "
            + "tampering is refused by the pre-receive hook.\n\n| action | records |\n| --- | --- |\n"
        for action in actions { text += "| `\(action.name)` | \(meaning(of: action)) |\n" }
        text +=
            "\nBoard events (`.handoff/board.md`, newest first); the hook refuses a push that earns one marked *refused*.\n\n"
            + "| event | records | push |\n| --- | --- | --- |\n"
        for event in events {
            text += "| `\(event.name)` | \(meaning(of: event)) | \(event.refusesPush ? "refused" : "accepted") |\n"
        }
        return text
    }
}
