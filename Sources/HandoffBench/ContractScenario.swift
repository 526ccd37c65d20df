import Foundation
import HandoffCore

/// B5: OpenAPI documents checked per second, in process (parse and Handoff's node-level validation and
/// rules), against openapi-spec-validator and openapi-spec-validator-rs on the same documents.
enum ContractScenario {
    /// One peer's figures beside Handoff's.
    struct Peer {
        var name: String
        var version: String
        var rate: Double
        /// Documents on which Handoff and this peer disagree.
        var disagreements: [String]
        /// The disagreements not explained by a defect the peers are known to accept (see DifferentialTests).
        var unexplained: [String]
    }

    struct Figures {
        var documents: Int
        var rounds: Int
        var handoffRate: Double
        var peers: [Peer]
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
        let peers = try Baseline.run(folder: folder.path, rounds: rounds).map { outcome in
            let disagreements = documents.filter { verdicts[$0.name] != outcome.valid[$0.name] }
            return Peer(
                name: outcome.name, version: outcome.version, rate: Double(documents.count * rounds) / outcome.seconds,
                disagreements: disagreements.map(\.name),
                unexplained: disagreements.filter { !($0.defect?.peersAccept ?? false) }.map(\.name))
        }
        return Figures(
            documents: documents.count, rounds: rounds, handoffRate: handoffRate, peers: peers,
            misjudged: documents.filter { ($0.defect == nil) != (verdicts[$0.name] ?? false) }.map(\.name))
    }
}
