import Foundation
import HandoffCore

// handoff-bench: Handoff's figures beside a baseline measured in the same run, as ratios, in one table.
// Usage: handoff-bench [--quick] [--only B1,B5,…] [--smells REQUIREMENT-SMELLS-FOLDER] [OPENAPI-FIXTURES-FOLDER]
//        handoff-bench --only smells REQUIREMENT-SMELLS-FOLDER   (the smell detector's evaluation alone)
// Every scenario builds its own repositories, deterministic from the seed, under a temporary folder.

let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
let only: Set<String>? = arguments.firstIndex(of: "--only").flatMap { index in
    index + 1 < arguments.count ? Set(arguments[index + 1].split(separator: ",").map { $0.uppercased() }) : nil
}
let positional = arguments.enumerated().first { index, argument in
    !argument.hasPrefix("--") && (index == 0 || !["--only", "--smells"].contains(arguments[index - 1]))
}?.element
let smellsOnly = only == ["SMELLS"]
let fixtures = smellsOnly ? nil : positional
let smellSets = smellsOnly ? positional : arguments.firstIndex(of: "--smells").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let seed: UInt64 = 20_261_129
func wanted(_ id: String) -> Bool { only?.contains(id.uppercased()) ?? true }

let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let handoff = binaries.appendingPathComponent("handoff").path
let handoffd = binaries.appendingPathComponent("handoffd").path
guard smellsOnly || FileManager.default.isExecutableFile(atPath: handoff) && FileManager.default.isExecutableFile(atPath: handoffd) else {
    FileHandle.standardError.write(Data("handoff-bench: build handoff and handoffd in the same configuration (swift build -c release)\n".utf8))
    exit(2)
}
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-\(ProcessInfo.processInfo.processIdentifier)").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

var rows: [Row] = []
var failures: [String] = []
@MainActor func add(_ row: Row) {
    rows.append(row)
    print("  \(row.id): \(row.handoff) vs \(row.baseline) → \(row.ratio); \(row.goal)")
    fflush(nil)  // progress as it happens, also when the output goes to a file (a full run takes minutes)
}
let packets = quick ? 200 : 2_000
print(
    "handoff-bench\(quick ? " --quick" : ""): seed \(seed); \(ProcessInfo.processInfo.activeProcessorCount) cores; "
        + "temporary folder \(folder)")

// B1 (and the repository B2 and B3 reuse): cold catch-up over the whole synthetic history.
var catchUp: CatchUpScenario.Figures?
if wanted("B1") || wanted("B2") || wanted("B3") {
    let figures = try CatchUpScenario.run(handoffd: handoffd, folder: folder, packets: packets, seed: seed)
    catchUp = figures
    let ratioValue = figures.handoff.milliseconds / figures.patches.milliseconds
    print("  B1 repository: \(figures.repository.packets) packets, \(figures.repository.commits) commits; states after the fold: \(figures.states)")
    if wanted("B1") {
        add(
            Row(
                id: "B1", scenario: "cold catch-up, \(figures.repository.packets) packets, \(figures.repository.commits) commits",
                handoff: milliseconds(figures.handoff.milliseconds) + " (`handoffd --once`)",
                baseline: milliseconds(figures.patches.milliseconds) + " (`git log -p`, \(mebibytes(figures.patches.peakMiB))); "
                    + milliseconds(figures.baseline.milliseconds) + " (`git log --raw`)",
                ratio: ratio(ratioValue) + " (-p); " + ratio(figures.handoff.milliseconds / figures.baseline.milliseconds) + " (--raw)",
                memory: mebibytes(figures.handoff.peakMiB),
                goal: verdict("≤ 2× `git log -p`, peak ≤ its own", ratioValue <= 2 && figures.handoff.peakMiB <= figures.patches.peakMiB)))
    }
    if wanted("B1") && wanted("B7") {
        add(
            Row(
                id: "B1m", scenario: "peak memory of the B1 catch-up", handoff: mebibytes(figures.handoff.peakMiB), baseline: "—",
                ratio: "—", memory: mebibytes(figures.handoff.peakMiB), goal: verdict("≤ 100 MiB", figures.handoff.peakMiB <= 100)))
    }
}

// B3: one status commit into that tree, in process, against git's plumbing.
if wanted("B3"), let catchUp {
    let figures = try StatusCommitScenario.run(repository: catchUp.repository.path, packets: packets, rounds: quick ? 5 : 50)
    let speedup = figures.baselineMilliseconds / figures.handoffMilliseconds
    add(
        Row(
            id: "B3", scenario: "one status commit into the \(packets)-packet tree (median)", handoff: milliseconds(figures.handoffMilliseconds),
            baseline: milliseconds(figures.baselineMilliseconds) + " (hash-object, ls-tree, mktree, commit-tree, update-ref)",
            ratio: ratio(figures.handoffMilliseconds / figures.baselineMilliseconds) + " (\(ratio(speedup)) faster)",
            memory: mebibytes(MeasuredRun.selfPeakMiB) + " (bench process)", goal: verdict("≥ 10× faster", speedup >= 10)))
}

// B2: push-to-status latency on the B1 repository, with the service and its hooks.
if wanted("B2"), let catchUp {
    let pushes = quick ? 20 : 200
    let figures = try LatencyScenario.run(
        handoff: handoff, handoffd: handoffd, bare: catchUp.repository.path,
        configuration: catchUp.configuration, socket: "\(folder)/notify.sock", packet: "SYN-0",
        folder: folder, pushes: pushes)
    let p50 = LatencyScenario.Figures.percentile(figures.latencies, 0.5), p99 = LatencyScenario.Figures.percentile(figures.latencies, 0.99)
    let push50 = LatencyScenario.Figures.percentile(figures.pushes, 0.5), push99 = LatencyScenario.Figures.percentile(figures.pushes, 0.99)
    add(
        Row(
            id: "B2", scenario: "push to status, \(pushes) hook-triggered pushes on the B1 repository",
            handoff: "p50 \(milliseconds(p50)), p99 \(milliseconds(p99)) (from the push's return)",
            baseline: "p50 \(milliseconds(push50)), p99 \(milliseconds(push99)) (`git push` itself)", ratio: ratio(p50 / push50) + " (p50s)",
            memory: mebibytes(figures.peakMiB), goal: verdict("p50 below the push's median", p50 < push50)))
}

// B4: a one-commit run on a small and a large repository, publishing on main and (B4s) on a status branch.
for (id, statusBranch) in [("B4", false), ("B4s", true)] where wanted(id) {
    let large = quick ? 2_000 : 20_000
    let figures = try IncrementalScenario.run(
        handoffd: handoffd, folder: folder, small: 200, large: large, rounds: quick ? 3 : 11, seed: seed, statusBranch: statusBranch)
    let ratioValue = figures.large / figures.small
    add(
        Row(
            id: id,
            scenario: "one-commit `handoffd --once`\(statusBranch ? " publishing to handoff/status" : ""), "
                + "\(figures.smallPackets) vs \(figures.largePackets) packets (median)",
            handoff: milliseconds(figures.large) + " (\(figures.largePackets))", baseline: milliseconds(figures.small) + " (\(figures.smallPackets))",
            ratio: ratio(ratioValue), memory: mebibytes(figures.largePeakMiB), goal: verdict("ratio ≤ 1.5", ratioValue <= 1.5)))
}

// R1: four participants acting at once with --push --wait (#15, AC-1), status on its own branch against
// status published on main in the same run.
if wanted("R1") {
    let each = quick ? 8 : 40
    let onBranch = try ActionRaceScenario.run(handoff: handoff, handoffd: handoffd, folder: folder, clones: 4, actionsEach: each, statusBranch: true)
    let onMain = try ActionRaceScenario.run(handoff: handoff, handoffd: handoffd, folder: folder, clones: 4, actionsEach: each, statusBranch: false)
    for failure in onBranch.failures.prefix(3) + onMain.failures.prefix(3) { FileHandle.standardError.write(Data("R1: \(failure)\n".utf8)) }
    func attempts(_ figures: ActionRaceScenario.Figures) -> String {
        let sorted = figures.attempts.sorted()
        let mean = Double(sorted.reduce(0, +)) / Double(max(sorted.count, 1))
        // The median is 1 once more than half the actions land at the first push: say how far from that edge.
        let first = Double(sorted.filter { $0 == 1 }.count) / Double(max(sorted.count, 1))
        return "median \(median(sorted.map(Double.init)).formatted(.number.precision(.fractionLength(1)))) push attempts per action "
            + "(mean \(mean.formatted(.number.precision(.fractionLength(2)))), max \(sorted.last ?? 0), "
            + "\(Int((first * 100).rounded())) % at the first push), "
            + "\(figures.succeeded)/\(figures.actions) succeeded, p50 \(milliseconds(median(figures.milliseconds))) per action"
    }
    let medianAttempts = median(onBranch.attempts.map(Double.init))
    add(
        Row(
            id: "R1", scenario: "4 clones × \(each) actions at once, `--push --wait`, no pull (status on handoff/status)",
            handoff: attempts(onBranch), baseline: attempts(onMain) + " (status on main)",
            ratio: ratio(medianAttempts / max(median(onMain.attempts.map(Double.init)), 1)), memory: "—",
            goal: verdict("all succeed, median attempts ≤ 1.2", onBranch.succeeded == onBranch.actions && medianAttempts <= 1.2)))
}

// B5: contract checking against openapi-spec-validator and the fastest peer, openapi-spec-validator-rs.
if wanted("B5") {
    let figures = try ContractScenario.run(fixtures: fixtures, count: quick ? 20 : 200, rounds: quick ? 1 : 5, seed: seed)
    for peer in figures.peers {
        let ratioValue = figures.handoffRate / peer.rate
        // openapi-spec-validator-rs is the peer a user picks for speed (issue #13, AC-1: at least 5×).
        let goal = peer.name == "openapi-spec-validator-rs" ? 5.0 : 10.0
        add(
            Row(
                id: "B5", scenario: "contract checking, \(figures.documents) OpenAPI documents × \(figures.rounds)",
                handoff: String(format: "%.1f docs/s", figures.handoffRate),
                baseline: String(format: "%.1f docs/s (%@ %@)", peer.rate, peer.name, peer.version),
                ratio: ratio(ratioValue), memory: mebibytes(MeasuredRun.selfPeakMiB) + " (bench process)",
                goal: verdict("≥ \(Int(goal))×, same verdicts", ratioValue >= goal && peer.unexplained.isEmpty)))
        print(
            "  B5 verdicts against \(peer.name): \(figures.documents - peer.disagreements.count)/\(figures.documents) agree"
                + (peer.disagreements.isEmpty
                    ? ""
                    : "; differ on \(peer.disagreements.count) (\(peer.disagreements.count - peer.unexplained.count) with a"
                        + " schema $ref to nothing, which the peers do not follow in a request body: see DifferentialTests)")
                + (peer.unexplained.isEmpty ? "" : "; unexplained: " + peer.unexplained.joined(separator: ", ")))
    }
    if !figures.misjudged.isEmpty { failures.append("B5: Handoff misjudged \(figures.misjudged.joined(separator: ", "))") }
}

// B6: the pre-receive hook on a 10-commit push, against the same push without hooks.
if wanted("B6") {
    let figures = try HookScenario.run(handoff: handoff, handoffd: handoffd, rounds: quick ? 2 : 11)
    let overhead = (figures.withHookMilliseconds - figures.withoutHookMilliseconds) / figures.withoutHookMilliseconds
    add(
        Row(
            id: "B6", scenario: "pre-receive hook on a 10-commit push (median)", handoff: milliseconds(figures.withHookMilliseconds),
            baseline: milliseconds(figures.withoutHookMilliseconds) + " (the same push, no hooks)",
            ratio: ratio(figures.withHookMilliseconds / figures.withoutHookMilliseconds), memory: "—",
            goal: verdict("overhead ≤ 50%", overhead <= 0.5)))
}

// B7: idle cost of one process serving 100 repositories polled every 2 s (issue 16, AC-2).
if wanted("B7") {
    let window = quick ? 10.0 : 60.0
    let figures = try IdleMemoryScenario.run(handoffd: handoffd, folder: folder, repositories: 100, window: window)
    let plain = try IdleMemoryScenario.run(handoffd: handoffd, folder: folder, repositories: 100, window: window, http: false)
    add(
        Row(
            id: "B7",
            scenario:
                "idle, one handoffd serving \(figures.repositories) repositories polled every 2 s, HTTP server on (CPU over \(Int(figures.windowSeconds.rounded())) s)",
            handoff: mebibytes(figures.idleMiB) + " RSS (\(mebibytes(figures.anonymousMiB)) anonymous), "
                + String(format: "%.2f %% of a core", figures.cpuPercent),
            baseline: mebibytes(plain.idleMiB) + " RSS, " + String(format: "%.2f %% of a core", plain.cpuPercent) + " (http.listen unset)",
            ratio: ratio(figures.idleMiB / plain.idleMiB), memory: mebibytes(figures.peakMiB),
            goal: verdict("< 1 % of a core, < 60 MiB", figures.cpuPercent < 1 && figures.idleMiB < 60)))
}

// S1: the requirement-smell detector, its held-out figures and its throughput on one core.
if wanted("S1") || wanted("SMELLS") {
    let labelled = smellSets.flatMap { FileManager.default.fileExists(atPath: "\($0)/ds2.csv") ? $0 : nil }
    if smellsOnly && labelled == nil {
        FileHandle.standardError.write(Data("handoff-bench: \(smellSets ?? "(no folder)") holds no ds2.csv and ds4.csv\n".utf8))
        exit(2)
    }
    let figures = try SmellScenario.run(labelled: labelled, scratch: folder, count: quick ? 20_000 : 200_000, seed: seed)
    if !figures.heldOut.isEmpty {
        SmellScenario.report(figures.heldOut)
        print("")
    } else {
        print("  S1: no labelled sets given (--smells FOLDER); throughput on generated criteria only")
    }
    add(
        Row(
            id: "S1", scenario: "requirement smells over \(figures.criteria) criteria, one core",
            handoff: String(format: "%.0f criteria/s", figures.criteriaPerSecond),
            baseline: String(format: "%.0f lines/s (`grep -c -i -w -F -f` with the same word list)", figures.grepLinesPerSecond),
            ratio: ratio(figures.criteriaPerSecond / figures.grepLinesPerSecond), memory: mebibytes(MeasuredRun.selfPeakMiB) + " (bench process)",
            goal: verdict("≥ 50,000 criteria/s", figures.criteriaPerSecond >= 50_000)))
}

// H1, H2: the HTTP server's board page and packets route with 20 repositories of 2,000 packets (AC-4 of #17).
if wanted("H1") || wanted("H2") {
    let figures = try HTTPScenario.run(repositories: 20, packets: packets, requests: quick ? 100 : 1_000, seed: seed)
    func percentile(_ values: [Double], _ fraction: Double) -> Double { LatencyScenario.Figures.percentile(values, fraction) }
    let health99 = percentile(figures.health, 0.99)
    let scale = "\(figures.repositories) repositories × \(figures.packetsPerRepository) packets, \(figures.board.count) requests, a connection each"
    for (id, name, times) in [("H1", "board page `/r/NAME`", figures.board), ("H2", "packets route (`?state=ready&limit=500`)", figures.packets)]
    where wanted(id) {
        let p99 = percentile(times, 0.99)
        add(
            Row(
                id: id, scenario: "\(name), \(scale)", handoff: "p50 \(milliseconds(percentile(times, 0.5))), p99 \(milliseconds(p99))",
                baseline: "p99 \(milliseconds(health99)) (`/healthz` on the same server)", ratio: ratio(p99 / health99) + " (p99s)",
                memory: mebibytes(figures.residentMiB) + " (bench process, snapshots included)", goal: verdict("p99 < 50 ms", p99 < 50)))
    }
}

// The board, for the CLI's own figure.
if wanted("CLI") {
    let figures = try BoardScenario.run(packets: 2_000, rounds: quick ? 1 : 5)
    add(
        Row(
            id: "CLI", scenario: "`handoff board` on a \(figures.packets)-packet clone", handoff: milliseconds(figures.handoffMilliseconds),
            baseline: milliseconds(figures.baselineMilliseconds) + " (`git ls-tree -r`, process start included)",
            ratio: ratio(figures.handoffMilliseconds / figures.baselineMilliseconds), memory: mebibytes(MeasuredRun.selfPeakMiB) + " (bench process)",
            goal: verdict("< 1 s", figures.handoffMilliseconds < 1000)))
}

if ProcessInfo.processInfo.environment["HANDOFF_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) }
print("")
Row.print(rows)
if !failures.isEmpty {
    for failure in failures { FileHandle.standardError.write(Data((failure + "\n").utf8)) }
    exit(1)
}
