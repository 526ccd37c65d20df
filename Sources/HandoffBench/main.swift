import Foundation
import HandoffCore

// handoff-bench: Handoff's figures beside a baseline measured in the same run, as ratios.
// B5 (contract checking): OpenAPI documents checked per second vs openapi-spec-validator, same verdicts.

let arguments = CommandLine.arguments.dropFirst()
let quick = arguments.contains("--quick")
let fixtures = arguments.first { !$0.hasPrefix("--") }
let seed: UInt64 = 20_261_129
let count = quick ? 20 : 200
let rounds = quick ? 1 : 5

var documents = OpenAPICorpus.generate(count: count, seed: seed)
if let fixtures, let names = try? FileManager.default.contentsOfDirectory(atPath: fixtures) {
    for name in names.sorted() where name.hasSuffix(".yaml") {
        let text = try String(contentsOfFile: "\(fixtures)/\(name)", encoding: .utf8)
        documents.append(.init(name: "fixture-\(name)", text: text, defect: nil))
    }
}

// Handoff, in process: parse, OpenAPIKit validation and Handoff's own rules, every document every round.
var verdicts: [String: Bool] = [:]
let clock = ContinuousClock()
let started = clock.now
for _ in 0..<rounds {
    for document in documents {
        let findings = try ContractValidator.check(document.text, fileName: document.name).findings
        verdicts[document.name] = ContractValidator.isStructurallyValid(findings)
    }
}
let elapsed = clock.now - started
let handoffSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let handoffRate = Double(documents.count * rounds) / handoffSeconds

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
for document in documents {
    try Data(document.text.utf8).write(to: folder.appendingPathComponent(document.name))
}
let baseline = try Baseline.run(folder: folder.path, rounds: rounds)
let baselineRate = Double(documents.count * rounds) / baseline.seconds

let disagreements = documents.filter { verdicts[$0.name] != baseline.valid[$0.name] }
let expectedMisses = documents.filter { ($0.defect == nil) != (verdicts[$0.name] ?? false) }
func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
print("handoff-bench\(quick ? " (quick)" : ""): seed \(seed), \(documents.count) OpenAPI documents x \(rounds) round(s), "
      + "\(documents.filter { $0.defect != nil }.count) with an injected defect")
print(pad("id", 4) + pad("scenario", 28) + pad("Handoff", 24) + pad("baseline", 44) + pad("ratio", 9) + "goal")
let ratio = handoffRate / baselineRate
print(pad("B5", 4) + pad("contract checking", 28) + pad(String(format: "%.1f docs/s", handoffRate), 24)
      + pad(String(format: "%.1f docs/s (openapi-spec-validator %@)", baselineRate, baseline.version), 44)
      + pad(String(format: "%.1fx", ratio), 9) + (ratio >= 10 ? ">= 10x: met" : ">= 10x: NOT met"))
print("verdicts: \(documents.count - disagreements.count)/\(documents.count) agree with the baseline"
      + (disagreements.isEmpty ? "" : "; differ on " + disagreements.map(\.name).joined(separator: ", ")))
print("injected defects caught by Handoff: \(documents.count - expectedMisses.count)/\(documents.count) documents judged as intended"
      + (expectedMisses.isEmpty ? "" : "; wrong on " + expectedMisses.map(\.name).joined(separator: ", ")))

// Board: `handoff board` reads every status file at the tip of a 2,000-packet clone.
let board = try BoardScenario.run(packets: 2_000, rounds: quick ? 1 : 5)
let boardRatio = board.handoffMilliseconds / board.baselineMilliseconds
print(pad("CLI", 4) + pad("board, \(board.packets) packets", 28) + pad(String(format: "%.0f ms", board.handoffMilliseconds), 24)
      + pad(String(format: "%.0f ms (git ls-tree -r, spawn included)", board.baselineMilliseconds), 44)
      + pad(String(format: "%.1fx", boardRatio), 9) + (board.handoffMilliseconds < 1000 ? "< 1 s: met" : "< 1 s: NOT met"))

// B6: the pre-receive hook on a 10-commit push, against the same push without hooks.
let handoffBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("handoff").path
if FileManager.default.isExecutableFile(atPath: handoffBinary) {
    let hook = try HookScenario.run(handoff: handoffBinary, rounds: quick ? 1 : 5)
    let overhead = (hook.withHookMilliseconds - hook.withoutHookMilliseconds) / hook.withoutHookMilliseconds
    print(pad("B6", 4) + pad("pre-receive, 10-commit push", 28) + pad(String(format: "%.0f ms", hook.withHookMilliseconds), 24)
          + pad(String(format: "%.0f ms (the same push, no hooks)", hook.withoutHookMilliseconds), 44)
          + pad(String(format: "%.2fx", hook.withHookMilliseconds / hook.withoutHookMilliseconds), 9)
          + (overhead <= 0.5 ? "overhead <= 50%: met" : String(format: "overhead <= 50%%: NOT met (%.0f%%)", overhead * 100)))
    // B2: push-to-status latency with the service running and the hooks installed.
    let handoffdBinary = URL(fileURLWithPath: handoffBinary).deletingLastPathComponent().appendingPathComponent("handoffd").path
    let latency = try LatencyScenario.run(handoff: handoffBinary, handoffd: handoffdBinary, pushes: quick ? 20 : 200)
    let p50 = LatencyScenario.Figures.percentile(latency.latencies, 0.5), p99 = LatencyScenario.Figures.percentile(latency.latencies, 0.99)
    let pushMedian = LatencyScenario.Figures.percentile(latency.pushes, 0.5)
    print(pad("B2", 4) + pad("push to status, \(latency.latencies.count) pushes", 28)
          + pad(String(format: "p50 %.0f / p99 %.0f ms", p50, p99), 24)
          + pad(String(format: "%.0f ms (median git push itself)", pushMedian), 44)
          + pad(String(format: "%.2fx", p50 / pushMedian), 9) + (p50 < pushMedian ? "p50 below the push: met" : "p50 below the push: NOT met"))
} else {
    print("B2, B6 skipped: build handoff and handoffd in the same configuration (swift build -c release)")
}
if !disagreements.isEmpty || !expectedMisses.isEmpty { exit(1) }
