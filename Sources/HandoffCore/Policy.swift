import Foundation
import GitPaths
internal import Yams

/// A repository's `.handoff/policy.yaml`: where packets live, what ready means here, and who holds which role.
///
/// Parsing never fails: problems become `policy.invalid` findings and the defaults stand for what could
/// not be read. (Whether a change to the policy is honoured at all is the workflow engine's decision.)
public struct Policy: Sendable, Hashable {
    /// The policy file's path from the repository root.
    public static let path = ".handoff/policy.yaml"
    /// The roles a policy can grant; operators are named in the daemon's configuration, not here.
    public static let roleNames = ["client", "contractor", "reviewer"]

    /// The folder holding packets.
    public var packetRoot = "specs"
    /// `## ` sections every context must have.
    public var requiredSections = ["Background", "System context", "Dependencies", "Out of scope"]
    /// Rule severities that replace the defaults.
    public var severityOverrides: [String: Severity] = [:]
    /// Bounds on the work per packet.
    public var limits = CheckLimits.default
    /// Email patterns (`*` wildcards) per role.
    public var roles: [String: [String]] = [:]
    /// Whether pushes of packets that are not ready are refused by the pre-receive hook.
    public var requireReady = false

    /// The defaults of DESIGN.md.
    public init() {}

    /// The settings the checker needs.
    public var checkConfiguration: CheckConfiguration {
        CheckConfiguration(
            packetRoot: packetRoot, requiredSections: requiredSections, limits: limits,
            severityOverrides: severityOverrides)
    }

    static let keys = Set(PolicyKey.allCases.map(\.rawValue))

    /// Reads a policy; every problem is a finding on `file` with its line.
    public static func parse(_ text: String, file: String = Policy.path) -> (Policy, [Finding]) {
        var policy = Policy()
        var findings: [Finding] = []
        func problem(_ node: Node?, _ message: String, hint: String? = nil) {
            findings.append(
                Finding(
                    .policyInvalid, file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column,
                    message: message, hint: hint))
        }
        let node: Node
        switch YAMLInput.parse(text, maxDepth: CheckLimits.default.maxYAMLDepth) {
        case .failure(let refusal):
            findings.append(
                Finding(
                    .policyInvalid, file: file, line: refusal.line, column: refusal.column,
                    message: refusal.message, hint: refusal.hint))
            return (policy, findings)
        case .success(nil):
            return (policy, [])
        case .success(let parsed?):
            node = parsed
        }
        guard let mapping = node.mapping else {
            problem(node, "the policy must be a mapping of settings")
            return (policy, findings)
        }
        for (key, value) in mapping {
            let name = key.string ?? ""
            switch PolicyKey(rawValue: name) {
            case .packetRoot?:
                // Split at `/` bytes, as git splits; refused wherever git would not write the tree handoffd
                // must write under it (or a checkout would write into `.git`).
                let parts = GitPath.components(value.scalar?.string ?? "")
                let root = parts.joined(separator: "/")
                if root.isEmpty || parts.contains(where: { GitPath.same($0, "..") || GitPath.same($0, ".") || GitPath.isGitDirectoryName($0) }) {
                    problem(value, "packet_root must be a folder inside the repository, such as specs")
                } else {
                    policy.packetRoot = root
                }
            case .requiredSections?:
                let sections = value.sequence?.compactMap { $0.scalar.map { Whitespace.trimmed($0.string) } } ?? []
                if value.sequence == nil || sections.count != value.sequence?.count || sections.contains(where: { $0.isEmpty }) {
                    problem(value, "required_sections must be a list of section titles")
                } else {
                    policy.requiredSections = sections
                }
            case .severity?:
                for (ruleKey, level) in value.mapping ?? Node.Mapping([]) {
                    let ruleID = ruleKey.string ?? ""
                    guard Rule.named(ruleID) != nil else {
                        problem(ruleKey, "severity names '\(ruleID)', which is not a rule", hint: "See docs/rules.md for the rule ids.")
                        continue
                    }
                    guard let text = level.scalar?.string, let severity = Severity(rawValue: text) else {
                        problem(level, "severity of \(ruleID) must be error, warning or info")
                        continue
                    }
                    policy.severityOverrides[ruleID] = severity
                }
                if value.mapping == nil { problem(value, "severity must map rule ids to error, warning or info") }
            case .limits?:
                policy.limits = limits(value, problem: problem)
            case .roles?:
                for (roleKey, patterns) in value.mapping ?? Node.Mapping([]) {
                    let role = roleKey.string ?? ""
                    guard roleNames.contains(role) else {
                        problem(
                            roleKey, "'\(role)' is not a role (\(roleNames.joined(separator: ", ")))",
                            hint: "Operators are named in handoffd's configuration, not in the repository.")
                        continue
                    }
                    let list = patterns.sequence?.compactMap { $0.scalar?.string } ?? []
                    if patterns.sequence == nil || list.count != patterns.sequence?.count || list.contains(where: { !$0.contains("@") }) {
                        problem(patterns, "roles.\(role) must be a list of email patterns such as '*@acme.example'")
                        continue
                    }
                    policy.roles[role] = list
                }
                if value.mapping == nil { problem(value, "roles must map role names to lists of email patterns") }
            case .requireReady?:
                switch value.scalar?.string {
                case "true": policy.requireReady = true
                case "false": policy.requireReady = false
                default: problem(value, "require_ready must be true or false")
                }
            case nil:
                problem(key, "unknown setting '\(name)'", hint: "Known settings: \(keys.sorted().joined(separator: ", ")); see docs/policy.md.")
            }
        }
        return (policy, findings)
    }

    private static func limits(_ node: Node, problem: (Node?, String, String?) -> Void) -> CheckLimits {
        var limits = CheckLimits.default
        guard let mapping = node.mapping else {
            problem(node, "limits must be a mapping", nil)
            return limits
        }
        let bounds = Dictionary(uniqueKeysWithValues: limitSettings.map { ($0.name, ($0.range, $0.path)) })
        for (key, value) in mapping {
            let name = key.string ?? ""
            guard let (range, path) = bounds[name] else {
                problem(key, "unknown limit '\(name)' (\(bounds.keys.sorted().joined(separator: ", ")))", nil)
                continue
            }
            guard let text = value.scalar?.string, let number = Int(text), range.contains(number) else {
                problem(value, "limits.\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)", nil)
                continue
            }
            limits[keyPath: path] = number
        }
        return limits
    }

    /// The settings under `limits`: name, accepted range, what each bounds, and where it lives.
    static var limitSettings: [(name: String, range: ClosedRange<Int>, path: WritableKeyPath<CheckLimits, Int>, meaning: String)] {
        [
            ("max_file_bytes", 1_024...(64 << 20), \.maxFileBytes, "largest file read in a packet, in bytes; a larger one is a finding"),
            ("max_entries_per_packet", 10...100_000, \.maxEntriesPerPacket, "most files and folders walked in one packet folder"),
            ("max_yaml_depth", 8...256, \.maxYAMLDepth, "deepest YAML nesting accepted before a document is refused"),
        ]
    }

    /// Reads the policy from a tree; a missing file means the defaults.
    public static func load(from view: any TreeView) throws -> (Policy, [Finding]) {
        switch try TextFile.read(path, from: view, limits: .default) {
        case .missing: return (Policy(), [])
        case .unusable(let finding): return (Policy(), [Finding(.policyInvalid, file: path, message: finding.message)])
        case .text(let text): return parse(text)
        }
    }
}
