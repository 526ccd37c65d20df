/// The one home of "which actions read the packet itself, and what they read": `reopen` needs the
/// packet's readiness at the commit, `submit` also its delivery note checked against its criteria.
/// handoffd (per commit) and `handoff` (before committing an action locally) both gather through here.
public enum ActionPrecheck {
    /// Whether the fold needs the packet's content at the commit to judge `action`.
    public static func readsPacket(_ action: WorkflowAction) -> Bool {
        action == .submit || action == .reopen
    }

    /// Adds to `input` what the fold needs to judge `request`: the packet's `report` and, for `submit`,
    /// the delivery note's findings (evidence commits looked up in `commits`).
    public static func gather(
        _ request: ActionRequest, report: PacketReport, view: any TreeView, policy: Policy,
        commits: any CommitLookup, into input: inout CommitInput
    ) throws {
        guard readsPacket(request.action) else { return }
        input.reports[request.packet] = report
        if request.action == .submit {
            input.deliveryFindings[request.packet] = try DeliveryCheck.check(
                packetFolder: "\(policy.packetRoot)/\(request.packet)", criteria: report.criteria, in: view, limits: policy.limits,
                commits: commits)
        }
    }
}
