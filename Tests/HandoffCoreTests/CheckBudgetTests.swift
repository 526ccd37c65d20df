import Foundation
import Testing

@testable import HandoffCore

/// Issue 11, item 6: one commit's checks share a budget; past it, packets get a finding instead of a check.
@Suite("Check budget")
struct CheckBudgetTests {
    /// The example packet as `id`, with `extra` files (paths inside the packet folder).
    static func packet(_ id: String, extra: [String: String] = [:]) -> [String: String] {
        var files: [String: String] = [:]
        for (path, text) in PacketTemplate.example() {
            files[path.replacingOccurrences(of: "PAY-142", with: id)] = text.replacingOccurrences(of: "PAY-142", with: id)
        }
        for (path, text) in extra { files["specs/\(id)/\(path)"] = text }
        return files
    }

    /// A JSON document of one string, `size` bytes long: read in full, parsed cheaply, not a contract.
    static func bulk(_ size: Int) -> String { "\"" + String(repeating: "a", count: size - 2) + "\"" }

    static func rules(_ report: PacketReport) -> Set<String> { Set(report.findings.map(\.rule)) }

    @Test("bytes: once a packet's contracts spend the budget, its files left and every later packet get the finding")
    func bytesRunOut() throws {
        var contracts: [String: String] = [:]
        for index in 0..<20 { contracts["contracts/bulk-\(index).json"] = Self.bulk(10_000) }
        let view = MemoryTreeView(Self.packet("BIG-1", extra: contracts).merging(Self.packet("PAY-142")) { $1 })
        let budget = CheckBudget(limits: CheckBudgetLimits(maxBytes: 50_000))
        let checker = PacketChecker(budget: budget)

        let big = try checker.check(PacketID("BIG-1")!, in: view)
        #expect(Self.rules(big).contains(Rule.checkBudgetExhausted.id))
        #expect(!big.isReady)
        // Some contracts were checked before the budget ran out, not all twenty.
        let checked = big.findings.count { $0.rule == Rule.contractsUnknownFormat.id }
        #expect(checked > 0 && checked < 20, "\(checked) bulk file(s) checked")
        #expect(budget.exhaustion == .bytes(limit: 50_000))

        let later = try checker.check(PacketCheckerTests.id, in: view)
        #expect(later.findings.map(\.rule) == [Rule.checkBudgetExhausted.id])
        #expect(later.findings[0].file == "specs/PAY-142")
        #expect(later.findings[0].message.contains("50000 bytes read"))

        // Without the big packet in the same commit, the same packet is checked and ready.
        #expect(try PacketChecker(budget: CheckBudget()).check(PacketCheckerTests.id, in: view).isReady)
    }

    @Test(
        "packets, findings and YAML values each bound a commit's checks",
        arguments: [
            (CheckBudgetLimits(maxPackets: 2), CheckBudget.Exhaustion.packets(limit: 2)),
            (CheckBudgetLimits(maxFindings: 1), .findings(limit: 1)),
            (CheckBudgetLimits(maxYAMLValues: 200), .yamlValues(limit: 200)),
        ])
    func eachPartBounds(limits: CheckBudgetLimits, expected: CheckBudget.Exhaustion) throws {
        var files: [String: String] = [:]
        // A vague criterion gives every packet a warning; the contract holds a few hundred YAML values.
        for index in 1...4 {
            files.merge(Self.packet("P-\(index)", extra: ["acceptance.md": "- [ ] AC-1: the refund is fast.\n"])) { $1 }
        }
        let view = MemoryTreeView(files)
        let budget = CheckBudget(limits: limits)
        let checker = PacketChecker(budget: budget)
        let reports = try (1...4).map { try checker.check(PacketID("P-\($0)")!, in: view) }
        #expect(budget.exhaustion == expected)
        #expect(!Self.rules(reports[0]).contains(Rule.checkBudgetExhausted.id))
        #expect(reports[3].findings.map(\.rule) == [Rule.checkBudgetExhausted.id])
    }

    @Test("a contract's cost is the same from the cache as from the file, so the verdicts do not depend on the cache")
    func cachedCostIsCharged() throws {
        var contracts: [String: String] = [:]
        for index in 0..<20 { contracts["contracts/bulk-\(index).json"] = Self.bulk(10_000) }
        var view = MemoryTreeView(Self.packet("BIG-1", extra: contracts).merging(Self.packet("PAY-142")) { $1 })
        view.offersContentIDs = true
        let cache = CheckCache()
        // Identical blobs: every file after the first is a cache hit, and still costs its bytes.
        var reports: [[PacketReport]] = []
        for _ in 0..<2 {
            let checker = PacketChecker(cache: cache, budget: CheckBudget(limits: CheckBudgetLimits(maxBytes: 50_000)))
            reports.append(try ["BIG-1", "PAY-142"].map { try checker.check(PacketID($0)!, in: view) })
        }
        #expect(cache.statistics.hits > 0)
        #expect(reports[0] == reports[1])
        #expect(reports[1][1].findings.map(\.rule) == [Rule.checkBudgetExhausted.id])
    }

    @Test("the default budget is far above a real packet: the example costs a few KiB and a few hundred values")
    func defaultsFitRealPackets() throws {
        let budget = CheckBudget()
        let report = try PacketChecker(budget: budget).check(PacketCheckerTests.id, in: MemoryTreeView(PacketTemplate.example()))
        #expect(report.isReady)
        #expect(budget.exhaustion == nil)
    }
}
