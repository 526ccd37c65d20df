public import GitPaths

/// A file whose version in the tree is not the one in force: a change to it was refused, so every check
/// reads the version in force instead, until the file is restored (by anyone: restoring is harmless).
public struct HeldFile: Sendable, Hashable {
    /// The path from the repository root.
    public var path: String
    /// The blob in force (hex id), or nil when no version is in force (the refused change added the file).
    public var inForce: String?
    /// The newest refused commit that changed the file.
    public var refusedBy: String

    /// Creates a held file.
    public init(path: String, inForce: String?, refusedBy: String) {
        self.path = path
        self.inForce = inForce
        self.refusedBy = refusedBy
    }
}

/// One file a commit changed, as the content-in-force rules see it (blob ids in hex; nil: no file).
public struct FileChange: Sendable, Hashable {
    /// The path from the repository root.
    public var path: String
    /// The blob at the commit's first parent.
    public var before: String?
    /// The blob at the commit.
    public var after: String?

    /// Creates a change.
    public init(path: String, before: String?, after: String?) {
        self.path = path
        self.before = before
        self.after = after
    }
}

/// What a commit's changes come to: the policy verdict, the committer's roles, and which changed files take
/// effect. Computed by ``ContentInForce/judge(_:state:operators:)``.
public struct ChangeVerdicts: Sendable {
    /// The verdict on the commit's change of `.handoff/policy.yaml`.
    public var policy: PolicyChange
    /// The committer's roles under the policy in force after the commit (none without a verified identity).
    public var roles: Set<Role>
    /// The held files after the commit, by path.
    public var held: [BytePath: HeldFile]
    /// Changed files that do not take effect, by path, with why.
    public var refused: [BytePath: Rejection]
}

/// The one home of "does this change take effect": for every file whose change needs a role (spec files,
/// `delivery/`, the policy), the version in force is the last one committed by someone allowed to change
/// it. A refused change leaves the file held; a later change of a held file, even by someone allowed, builds
/// on content not in force and is refused too, until the file is restored to its version in force. The fold
/// records these verdicts; the commit reader checks packets on the content they leave in force.
public enum ContentInForce {
    /// What part of the repository a path belongs to, as far as who may change it.
    public enum Area: Hashable, Sendable {
        /// `.handoff/policy.yaml`: operators only.
        case policy
        /// A packet's file outside `delivery/` and `status.yaml`: clients and operators.
        case spec(PacketID)
        /// A packet's `delivery/`: its assignee and operators.
        case delivery(PacketID)
    }

    /// The area of `path` under `packetRoot`, or nil when no role is needed to change it here (status files
    /// and the board are handoffd's own, judged as tampering elsewhere; other paths are nobody's concern).
    /// Split and compared as bytes (``GitPath``): a `/` followed by a combining mark is a separator to git.
    public static func area(of path: String, packetRoot: String) -> Area? {
        if GitPath.same(path, Policy.path) { return .policy }
        guard let inside = GitPath.components(of: path, inside: GitPath.normalized(packetRoot)), inside.count >= 2,
            let id = PacketID(inside[0])
        else { return nil }
        if inside.count == 2, GitPath.same(inside[1], StatusFile.fileName) { return nil }
        return GitPath.same(inside[1], "delivery") && inside.count > 2 ? .delivery(id) : .spec(id)
    }

    /// The packet whose spec or delivery `path` belongs to, or nil (the policy, other paths).
    public static func packet(of path: String, packetRoot: String) -> PacketID? {
        switch area(of: path, packetRoot: packetRoot) {
        case .spec(let id)?, .delivery(let id)?: id
        case .policy?, nil: nil
        }
    }

    /// Judges `input` against `state` (the state before it): the one decision the fold and the reader share.
    public static func judge(_ input: CommitInput, state: WorkflowState, operators: [String]) -> ChangeVerdicts {
        var held = state.held
        var refused: [BytePath: Rejection] = [:]
        let policyFile = input.fileChanges.first { GitPath.same($0.path, Policy.path) }
        let policy: PolicyChange
        if input.policyChange != nil, let holding = held[BytePath(Policy.path)] {
            // Restoring the version in force is harmless, whoever does it; anything else builds on the refused change.
            policy = policyFile?.after == holding.inForce ? .unchanged : .buildsOnRefusedChange(refusedBy: holding.refusedBy)
        } else if input.policyChange != nil, input.unverified != nil {
            policy = .unauthorized
        } else {
            policy = PolicyChange.judge(input.policyChange, by: input.identity, inForce: state.policy, operators: operators)
        }
        let inForce: Policy
        if case .honoured(let honoured) = policy { inForce = honoured } else { inForce = state.policy }
        let roles = input.unverified == nil ? RoleBook(policy: inForce, operators: operators).roles(of: input.identity) : []
        for change in input.fileChanges {
            guard let area = area(of: change.path, packetRoot: state.policy.packetRoot) else { continue }
            let objection = Self.objection(to: area, input: input, roles: roles, policy: policy, state: state)
            let key = BytePath(change.path)
            if let holding = held[key] {
                if change.after == holding.inForce {
                    held[key] = nil
                } else {
                    held[key]?.refusedBy = input.id
                    refused[key] = objection ?? .buildsOnRefusedChange(path: change.path, refusedBy: holding.refusedBy)
                }
            } else if let objection {
                held[key] = HeldFile(path: change.path, inForce: change.before, refusedBy: input.id)
                refused[key] = objection
            }
        }
        // A held file the commit did not change may have been restored under it (handoffd's own commit
        // writes the version in force back on the watched branch).
        for (path, version) in input.heldInTree where held[path].map({ $0.inForce == version }) == true {
            held[path] = nil
        }
        return ChangeVerdicts(policy: policy, roles: roles, held: held, refused: refused)
    }

    /// Why the committer of `input` may not change a file in `area` (nil: they may), given their roles
    /// after the commit's policy verdict.
    public static func objection(
        to area: Area, input: CommitInput, roles: Set<Role>, policy: PolicyChange, state: WorkflowState
    ) -> Rejection? {
        switch area {
        case .policy:
            switch policy {
            case .unauthorized: return input.unverified.map(Rejection.unverified) ?? .noRole(identity: input.identity)
            case .buildsOnRefusedChange, .unchanged, .invalid, .honoured: return nil
            }
        case .spec:
            if let problem = input.unverified { return .unverified(problem) }
            if roles.isEmpty { return .noRole(identity: input.identity) }
            return roles.contains(.client) || roles.contains(.operator) ? nil : .specChangeNotPermitted
        case .delivery(let id):
            if let problem = input.unverified { return .unverified(problem) }
            let isAssignee = state.packets[id]?.assignee.map { $0.lowercased() == input.identity.lowercased() } ?? false
            return roles.contains(.operator) || isAssignee ? nil : .deliveryChangeNotPermitted
        }
    }
}
