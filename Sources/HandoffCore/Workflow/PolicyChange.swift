/// How a commit's change of `.handoff/policy.yaml` is judged: the one home of "is it honoured", used by
/// the fold (which records the outcome) and by the commit reader (which checks the commit's packets under
/// the policy that will be in force after it).
public enum PolicyChange: Hashable, Sendable {
    /// The policy file was not changed, or changed to what is already in force.
    case unchanged
    /// Changed by someone who is not an operator: ignored.
    case unauthorized
    /// An operator's change that has problems: the last good policy stays.
    case invalid([Finding])
    /// An operator's valid change: in force from this commit.
    case honoured(Policy)
    /// A change of a policy file that holds a refused change (``ContentInForce``): it builds on content not
    /// in force, whoever made it, until the file is restored.
    case buildsOnRefusedChange(refusedBy: String)

    /// Judges `change` (the file as of the commit, parsed) made by `identity`, given the policy in force
    /// and the operators named in handoffd's configuration (never in the repository).
    public static func judge(
        _ change: (policy: Policy, findings: [Finding])?, by identity: String, inForce: Policy,
        operators: [String]
    ) -> PolicyChange {
        guard let change else { return .unchanged }
        guard RoleBook(operators: operators).roles(of: identity).contains(.operator) else { return .unauthorized }
        if !change.findings.isEmpty { return .invalid(change.findings) }
        return change.policy == inForce ? .unchanged : .honoured(change.policy)
    }
}
