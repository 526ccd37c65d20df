public import GitPaths

/// An event of the repository as a whole, shown on the board (e.g. a rejected action on an unknown packet).
public struct BoardEvent: Sendable, Hashable {
    /// The commit's time, ISO 8601 UTC.
    public var at: String
    /// The commit id.
    public var commit: String
    /// The identity that caused it.
    public var by: String
    /// What happened.
    public var kind: BoardEventKind

    /// Creates an event.
    public init(at: String, commit: String, by: String, kind: BoardEventKind) {
        self.at = at
        self.commit = commit
        self.by = by
        self.kind = kind
    }

    /// An event as a board's state block writes it (read back verbatim).
    public init(at: String, commit: String, by: String, event: String, note: String) {
        self.init(at: at, commit: commit, by: by, kind: .recorded(name: event, note: note))
    }

    /// The stable event name written on the board (`rejected`, `tampering`, `policy.changed`, …).
    public var event: String { kind.name }

    /// What happened, in one line.
    public var note: String { kind.note }

    /// Equal when written the same: an event read back from a board equals the one that was recorded.
    public static func == (lhs: BoardEvent, rhs: BoardEvent) -> Bool {
        lhs.at == rhs.at && lhs.commit == rhs.commit && lhs.by == rhs.by && lhs.event == rhs.event && lhs.note == rhs.note
    }

    /// Hashes the written form, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for field in [at, commit, by, event, note] { hasher.combine(field) }
    }
}

/// What a board event records; its name and note are derived from the case.
public enum BoardEventKind: Hashable, Sendable {
    /// Someone other than handoffd wrote `.handoff/board.md` or a page in `.handoff/board/`.
    case boardTampering
    /// Someone other than handoffd wrote `.handoff/allowed_signers`.
    case signersTampering
    /// A `Handoff:` trailer that does not parse.
    case malformedTrailer(TrailerProblem)
    /// A subject line written like a `Handoff:` trailer: git reads trailers only after a blank line.
    case trailerInSubject(String)
    /// A folder under the packet root whose name is not a packet id: nothing in it is checked.
    case strayFolder(String)
    /// An action naming a packet that does not exist.
    case unknownPacket(WorkflowAction, PacketID)
    /// A `delivery/` change in a folder that is not a packet.
    case deliveryOutsidePacket(PacketID)
    /// A refused change to a folder that is not (yet) a packet, so no packet history can hold it.
    case changeRejected(HistoryAction, PacketID, Rejection)
    /// A packet removed by a client or operator.
    case packetRemoved(PacketID, by: String)
    /// A policy change by someone who is not an operator.
    case policyUnauthorized(identity: String)
    /// A change of a policy file that holds a refused change: not in force until the file is restored.
    case policyNotInForce(refusedBy: String)
    /// An operator's policy change that has problems; the last good policy stays.
    case policyInvalid(problems: Int, first: String)
    /// An operator's valid policy change, now in force.
    case policyChanged(by: String)
    /// Covered history left the branch (force-push): status rebuilt from the first commit.
    case historyRewritten(lost: String, reference: String)
    /// A commit that could not be read is skipped.
    case commitUnreadable(String)
    /// Commits on the status branch that handoffd did not write: the last genuine status is written back.
    case statusBranchTampering(commits: Int)
    /// An event read back from a board; its meaning was settled when it was first recorded.
    case recorded(name: String, note: String)

    /// The stable event name.
    public var name: String {
        switch self {
        case .boardTampering, .signersTampering, .statusBranchTampering: "tampering"
        case .malformedTrailer, .trailerInSubject, .strayFolder, .unknownPacket, .deliveryOutsidePacket, .changeRejected, .commitUnreadable:
            "rejected"
        case .packetRemoved: "packet.removed"
        case .policyUnauthorized: "policy.unauthorized-change"
        case .policyNotInForce: "policy.not-in-force"
        case .policyInvalid: "policy.invalid"
        case .policyChanged: "policy.changed"
        case .historyRewritten: "history.rewritten"
        case .recorded(let name, _): name
        }
    }

    /// What happened, in one line.
    public var note: String {
        switch self {
        case .boardTampering: ".handoff/board.md and its pages in .handoff/board/ are written by handoffd only; written back"
        case .signersTampering: "\(SignersFile.path) is written by handoffd only; written back"
        case .malformedTrailer(let problem): "Handoff: \(problem.value): \(problem.reason)"
        case .trailerInSubject(let value):
            "the subject line 'Handoff: \(value)' is no trailer, so nothing was asked; write it after a blank line: "
                + "git commit -m \"…\" -m \"Handoff: \(value)\""
        case .strayFolder(let path):
            "\(path) is not named like a packet id (an ASCII letter or digit, then letters, digits, '.', '_' or '-', at most 64: "
                + "PAY-142); nothing in it is checked"
        case .unknownPacket(let action, let packet): "\(action.rawValue) \(packet): no such packet"
        case .deliveryOutsidePacket(let id): "delivery for \(id), which is not a packet"
        case .changeRejected(let action, let id, let rejection):
            "\(action.name) of \(id): \(HistoryOutcome.rejected(rejection).note)"
        case .packetRemoved(let id, let who): "\(id) was removed by \(who)"
        case .policyUnauthorized(let who): "\(who) is not an operator; the policy in force is unchanged"
        case .policyNotInForce(let refusedBy):
            "\(Policy.path) holds a refused change (commit \(refusedBy.prefix(12))); restore its version in force, then change it"
        case .policyInvalid(let problems, let first):
            "the new policy has \(problems) problem(s) (\(first)); the last good policy stays in force"
        case .policyChanged(let who): "policy changed by operator \(who)"
        case .historyRewritten(let lost, let reference):
            "\(lost.prefix(12)) is no longer in the history of \(reference) (force-push); status rebuilt from the first commit"
        case .commitUnreadable(let reason): "commit not honoured (nobody can be held to it): \(reason)"
        case .statusBranchTampering(let commits):
            "\(commits) commit(s) on the status branch were not written by handoffd; the last genuine status was written back"
        case .recorded(_, let note): note
        }
    }

    /// Whether a push that causes this event is refused by the pre-receive hook.
    public var refusesPush: Bool {
        switch self {
        case .boardTampering, .signersTampering, .malformedTrailer, .trailerInSubject, .strayFolder, .unknownPacket, .deliveryOutsidePacket,
            .changeRejected,
            .commitUnreadable,
            .policyUnauthorized, .policyNotInForce, .policyInvalid, .statusBranchTampering:
            true
        case .packetRemoved, .policyChanged, .historyRewritten:
            false
        case .recorded:
            false  // read back from a published board: judged when it was first recorded
        }
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
    /// Files whose tree version is not in force, by path as git tells paths apart (``ContentInForce``).
    public var held: [BytePath: HeldFile]
    /// What ``record(_:)`` was given over this value's life; not part of the state (see ``RecordedEvents``).
    public private(set) var recorded = RecordedEvents()

    /// Most board events kept.
    public static let maxBoardEvents = 50

    /// The state before the first commit.
    public init(policy: Policy = Policy()) {
        self.packets = [:]
        self.policy = policy
        self.events = []
        self.held = [:]
    }

    /// Adds a board event, keeping only the newest ``maxBoardEvents``.
    public mutating func record(_ event: BoardEvent) {
        events.append(event)
        if events.count > Self.maxBoardEvents { events.removeFirst(events.count - Self.maxBoardEvents) }
        recorded.note(event)
    }
}

/// The tally of events recorded into a ``WorkflowState``, by which the push audit tells what one commit
/// recorded: once ``WorkflowState/events`` holds its bound, its length no longer grows with new events.
/// Not part of the state: states equal in what they hold are equal whatever their tallies (a state read
/// back from a status has none).
public struct RecordedEvents: Sendable, Hashable {
    /// Events that refuse a push, recorded so far.
    public private(set) var refusingCount = 0
    /// The newest of them (at most ``keptRefusing``), oldest first.
    public private(set) var refusing: [BoardEvent] = []
    /// Refusing events kept: enough to name a push's problems, however many a commit records.
    public static let keptRefusing = 20

    mutating func note(_ event: BoardEvent) {
        guard event.kind.refusesPush else { return }
        refusingCount += 1
        refusing.append(event)
        if refusing.count > Self.keptRefusing { refusing.removeFirst(refusing.count - Self.keptRefusing) }
    }

    /// The refusing events recorded since `earlier` (a tally of the same value before): the newest of them
    /// when more than ``keptRefusing`` were, and how many were recorded in all.
    public func refusing(since earlier: RecordedEvents) -> (events: ArraySlice<BoardEvent>, count: Int) {
        let count = refusingCount - earlier.refusingCount
        return (refusing.suffix(min(max(count, 0), refusing.count)), max(count, 0))
    }

    public static func == (_: RecordedEvents, _: RecordedEvents) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}
