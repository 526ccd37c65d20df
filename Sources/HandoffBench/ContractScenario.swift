import Foundation
import HandoffCore

/// B5: OpenAPI documents checked per second, in process (parse, OpenAPIKit validation, Handoff's own
/// rules), against openapi-spec-validator on the same documents; both must reach the same verdicts.
enum ContractScenario {
    struct Figures {
        var documents: Int
        var rounds: Int
        var handoffRate: Double
        var baselineRate: Double
        var baselineVersion: String
        /// Documents on which Handoff and the baseline disagree.
        var disagreements: [String]
        /// Documents Handoff judged otherwise than their injected defect says.
        var misjudged: [String]
    }

    static func run(fixtures: String?, count: Int, rounds: Int, seed: UInt64) throws -> Figures {
        var documents = OpenAPICorpus.generate(count: count, seed: seed)
        if let fixtures, let names = try? FileManager.default.contentsOfDirectory(atPath: fixtures) {
            for name in names.sorted() where name.hasSuffix(".yaml") {
                let text = try String(contentsOfFile: "\(fixtures)/\(name)", encoding: .utf8)
                documents.append(.init(name: "fixture-\(name)", text: text, defect: nil))
            }
        }
        var verdicts: [String: Bool] = [:]
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<rounds {
            for document in documents {
                let findings = try ContractValidator.check(document.text, fileName: document.name).findings
                verdicts[document.name] = ContractValidator.isStructurallyValid(findings)
            }
        }
        let handoffRate = Double(documents.count * rounds) / (ms(clock.now - started) / 1000)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-b5-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for document in documents {
            try Data(document.text.utf8).write(to: folder.appendingPathComponent(document.name))
        }
        let baseline = try Baseline.run(folder: folder.path, rounds: rounds)
        return Figures(
            documents: documents.count, rounds: rounds, handoffRate: handoffRate,
            baselineRate: Double(documents.count * rounds) / baseline.seconds, baselineVersion: baseline.version,
            disagreements: documents.filter { verdicts[$0.name] != baseline.valid[$0.name] }.map(\.name),
            misjudged: documents.filter { ($0.defect == nil) != (verdicts[$0.name] ?? false) }.map(\.name))
    }
}
