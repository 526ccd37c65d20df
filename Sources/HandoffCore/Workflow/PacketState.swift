/// Where a packet stands in the workflow (DESIGN.md §4).
public enum PacketState: String, Sendable, Hashable, CaseIterable, Codable {
    /// The packet exists but has errors.
    case draft
    /// Passes the definition of ready; waiting for a contractor.
    case ready
    /// Claimed by a contractor, the assignee.
    case inProgress = "in_progress"
    /// Submitted with a complete delivery note.
    case inReview = "in_review"
    /// Accepted by a reviewer: final.
    case delivered
    /// Withdrawn by the client.
    case cancelled

    /// States in which a packet can be blocked or unblocked.
    public var isOpen: Bool { self != .delivered && self != .cancelled }
}

/// An action written as a `Handoff:` trailer.
public enum WorkflowAction: String, Sendable, Hashable, CaseIterable, Codable {
    case claim, unclaim, submit, accept, cancel, reopen, block, unblock
    case requestChanges = "request-changes"
}

/// A role a person holds: from the policy's email patterns, or (operators) from the daemon's configuration.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case client, contractor, reviewer, `operator`
}
