public import GitPaths

/// Everything the fold needs to know about one commit; gathered by the engine, so the fold does no I/O.
public struct CommitInput: Sendable {
    /// The commit id (hex).
    public var id: String
    /// The identity: the author's email (or, in signature mode, the verified signer).
    public var identity: String
    /// In signature mode, why the commit has no verified identity (then `identity` is only the author
    /// line's claim, and the commit holds no role); nil when it has one.
    public var unverified: SignatureProblem?
    /// The commit's time, ISO 8601 in UTC.
    public var time: String
    /// The `Handoff:` trailer values, in order.
    public var actionTrailers: [String]
    /// What the commit did to each packet it touched (for a merge: what differs from every parent).
    public var touched: [PacketID: PacketChange]
    /// Whether the commit changed `.handoff/board.md` or a page in `.handoff/board/`.
    public var touchedBoard: Bool
    /// Whether the commit changed `.handoff/allowed_signers` (handoffd's keys, written by handoffd only).
    public var touchedSigners = false
    /// The policy file as of this commit when the commit changed it, parsed.
    public var policyChange: (policy: Policy, findings: [Finding])?
    /// Readiness reports of packets named by actions but not touched (needed by `reopen`), and delivery
    /// checks of packets named by `submit`, computed on the commit's tree.
    public var reports: [PacketID: PacketReport]
    /// Delivery-note findings for packets named by a `submit` action.
    public var deliveryFindings: [PacketID: [Finding]]
    /// The commit's own changes of files that need a role to change (spec, delivery, policy).
    public var fileChanges: [FileChange] = []
    /// For each file held before this commit, its blob in the commit's tree (nil: absent).
    public var heldInTree: [BytePath: String?] = [:]
    /// The subject line's value when the subject is written like a `Handoff:` trailer, which git does not
    /// read as one (so it asks for nothing, and says so).
    public var subjectTrailer: String?
    /// Folders under the packet root the commit changed whose names are not packet ids (nothing in them is checked).
    public var strayFolders: [String] = []

    /// Creates a commit input.
    public init(
        id: String, identity: String, time: String, actionTrailers: [String] = [],
        touched: [PacketID: PacketChange] = [:], touchedBoard: Bool = false,
        policyChange: (policy: Policy, findings: [Finding])? = nil,
        reports: [PacketID: PacketReport] = [:], deliveryFindings: [PacketID: [Finding]] = [:],
        unverified: SignatureProblem? = nil
    ) {
        self.id = id
        self.identity = identity
        self.unverified = unverified
        self.time = time
        self.actionTrailers = actionTrailers
        self.touched = touched
        self.touchedBoard = touchedBoard
        self.policyChange = policyChange
        self.reports = reports
        self.deliveryFindings = deliveryFindings
    }
}

/// What one commit did to one packet's folder.
public struct PacketChange: Sendable {
    /// Files outside `delivery/` and `status.yaml` changed.
    public var spec: Bool
    /// Files under `delivery/` changed.
    public var delivery: Bool
    /// `status.yaml` was changed by someone other than handoffd.
    public var status: Bool
    /// The packet's folder no longer holds a manifest.
    public var removed: Bool
    /// The check of the packet at this commit (nil when removed).
    public var report: PacketReport?

    /// Creates a change.
    public init(spec: Bool = false, delivery: Bool = false, status: Bool = false, removed: Bool = false, report: PacketReport? = nil) {
        self.spec = spec
        self.delivery = delivery
        self.status = status
        self.removed = removed
        self.report = report
    }
}
