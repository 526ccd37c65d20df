import Synchronization

/// What checking some input cost, in the units a ``CheckBudget`` counts.
///
/// Counted, not timed: a budget measured by the clock would give replay and a second daemon other
/// verdicts than the first run. Bytes read and YAML values built are what time and memory follow.
public struct CheckCost: Sendable, Hashable, Codable {
    /// Bytes of file content read.
    public var bytes = 0
    /// YAML values (scalars and collections) in the documents parsed.
    public var yamlValues = 0

    /// No cost.
    public init(bytes: Int = 0, yamlValues: Int = 0) {
        self.bytes = bytes
        self.yamlValues = yamlValues
    }

    /// The sum of both costs.
    static func + (lhs: CheckCost, rhs: CheckCost) -> CheckCost {
        CheckCost(bytes: lhs.bytes + rhs.bytes, yamlValues: lhs.yamlValues + rhs.yamlValues)
    }
}

/// How much checking one commit may cause, whatever its packets hold.
///
/// Per-file limits (``CheckLimits``) bound one file; a commit can still hold thousands of packets of a
/// thousand files each. Once a commit has spent its budget, every packet left gets one finding instead of a
/// check, and the run goes on: no input can stop a repository's status from advancing.
public struct CheckBudgetLimits: Sendable, Hashable {
    /// Most bytes of file content read.
    public var maxBytes: Int
    /// Most YAML values parsed.
    public var maxYAMLValues: Int
    /// Most findings produced (before the per-rule cap).
    public var maxFindings: Int
    /// Most packets checked.
    public var maxPackets: Int

    /// Creates limits.
    public init(maxBytes: Int = 64 << 20, maxYAMLValues: Int = 2_000_000, maxFindings: Int = 200_000, maxPackets: Int = 2_000) {
        self.maxBytes = maxBytes
        self.maxYAMLValues = maxYAMLValues
        self.maxFindings = maxFindings
        self.maxPackets = maxPackets
    }

    /// The defaults: 64 MiB, 2,000,000 YAML values, 200,000 findings and 2,000 packets per commit, about
    /// a hundred times what a large real commit costs and a few hundred MiB of memory at worst.
    public static let `default` = CheckBudgetLimits()
}

/// The budget of one commit's checks, shared by every packet checked for it (in a fixed order, so that
/// replay, the hook and every daemon spend it the same way).
public final class CheckBudget: Sendable {
    /// Which part of a budget ran out.
    public enum Exhaustion: Sendable, Hashable {
        /// Bytes read reached the limit.
        case bytes(limit: Int)
        /// YAML values parsed reached the limit.
        case yamlValues(limit: Int)
        /// Findings produced reached the limit.
        case findings(limit: Int)
        /// Packets checked reached the limit.
        case packets(limit: Int)

        /// The part, in words, for a finding.
        var description: String {
            switch self {
            case .bytes(let limit): "\(limit) bytes read"
            case .yamlValues(let limit): "\(limit) YAML values"
            case .findings(let limit): "\(limit) findings"
            case .packets(let limit): "\(limit) packets checked"
            }
        }
    }

    private struct Spent {
        var cost = CheckCost()
        var findings = 0
        var packets = 0
    }

    /// The limits in force.
    public let limits: CheckBudgetLimits
    private let spent = Mutex(Spent())

    /// A fresh budget.
    public init(limits: CheckBudgetLimits = .default) {
        self.limits = limits
    }

    /// The first part that ran out, or nil while there is budget left.
    public var exhaustion: Exhaustion? {
        spent.withLock { spent in
            if spent.cost.bytes >= limits.maxBytes { return .bytes(limit: limits.maxBytes) }
            if spent.cost.yamlValues >= limits.maxYAMLValues { return .yamlValues(limit: limits.maxYAMLValues) }
            if spent.findings >= limits.maxFindings { return .findings(limit: limits.maxFindings) }
            if spent.packets >= limits.maxPackets { return .packets(limit: limits.maxPackets) }
            return nil
        }
    }

    /// What has been spent on file content so far.
    var spentCost: CheckCost { spent.withLock { $0.cost } }

    /// Spends `cost`.
    func charge(_ cost: CheckCost) {
        spent.withLock { $0.cost = $0.cost + cost }
    }

    /// Spends one packet and the findings it produced.
    func chargePacket(findings: Int) {
        spent.withLock { spent in
            spent.packets += 1
            spent.findings += findings
        }
    }

    /// The finding a packet gets when the budget ran out before or while checking it.
    static func finding(_ exhaustion: Exhaustion, folder: String) -> Finding {
        Finding(
            .checkBudgetExhausted, file: folder,
            message: "this commit's checks reached their budget (\(exhaustion.description)); the packet was not checked in full")
    }
}
