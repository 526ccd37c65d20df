import Foundation
import Git
import HandoffCore

/// B4: the cost of a one-commit run against the repository's size. Two repositories differ only in their
/// number of packets; after a first pass over each, every round adds one commit to each (a claim and an
/// edit of one packet's context) and times `handoffd --once` on it, small then large.
///
/// The packets share one contract blob so that a 20,000-packet repository is set up in seconds; the
/// measured runs re-check only the touched packet, whose contract is then already known.
enum IncrementalScenario {
    struct Figures {
        var small: Double
        var large: Double
        var smallPackets: Int
        var largePackets: Int
        var largePeakMiB: Double
    }

    /// With `statusBranch`, handoffd publishes to `handoff/status` instead of `main` (`status_branch`).
    static func run(
        handoffd: String, folder: String, small: Int, large: Int, rounds: Int, seed: UInt64, statusBranch: Bool = false
    ) throws -> Figures {
        let mode = statusBranch ? "s" : ""
        var configurations: [Int: (repository: String, configuration: String)] = [:]
        for packets in [small, large] {
            let repository = try SyntheticRepository.create(
                at: "\(folder)/b4\(mode)-\(packets).git", packets: packets, lifecycle: 0,
                seed: seed, sharedContract: true)
            let configuration = "\(folder)/b4\(mode)-\(packets).yaml"
            try Data(
                """
                identity: { email: handoffd@acme.example }
                state_directory: \(folder)/state-b4\(mode)-\(packets)
                repositories:
                  - { name: b4, path: \(repository.path), operators: [ops@acme.example]\(statusBranch ? ", status_branch: handoff/status" : "") }

                """.utf8
            ).write(to: URL(fileURLWithPath: configuration))
            try BoardScenario.shell([handoffd, "key", "generate", "--config", configuration])
            let first = try MeasuredRun.run([handoffd, "--config", configuration, "--once"])
            guard first.status == 0 else { throw BenchError("B4: first pass failed: \(first.stderr)") }
            configurations[packets] = (repository.path, configuration)
        }
        // The two sizes take turns, round by round: a slower moment of the machine then weighs on both
        // medians alike instead of on whichever size was being measured.
        var times: [Int: [Double]] = [:], peak: [Int: Double] = [:]
        for round in 0..<rounds {
            for packets in [small, large] {
                let (repository, configuration) = configurations[packets]!
                try addCommit(repository, packet: (round * 37) % packets, round: round)
                let run = try MeasuredRun.run([handoffd, "--config", configuration, "--once"])
                guard run.status == 0 else { throw BenchError("B4: run failed: \(run.stderr)") }
                times[packets, default: []].append(run.milliseconds)
                peak[packets] = max(peak[packets] ?? 0, run.peakMiB)
            }
        }
        let results = [small: (median(times[small]!), peak[small]!), large: (median(times[large]!), peak[large]!)]
        return Figures(
            small: results[small]!.0, large: results[large]!.0, smallPackets: small, largePackets: large,
            largePeakMiB: results[large]!.1)
    }

    /// One client commit on `main`: an edit of one packet's context, with a claim trailer.
    static func addCommit(_ path: String, packet: Int, round: Int) throws {
        let repository = try Repository.open(at: path)
        guard let tip = try repository.referenceTarget("refs/heads/main") else { throw BenchError("B4: no main") }
        let folder = "specs/SYN-\(packet)"
        guard
            case .data(let old)? = try repository.file(
                at: "\(folder)/context.md", inTree: try repository.tree(ofCommit: tip),
                sizeLimit: 1 << 20)?.content
        else { throw BenchError("B4: no context") }
        let tree = try repository.buildTree(
            base: try repository.tree(ofCommit: tip),
            edits: [
                .upsert(path: "\(folder)/context.md", content: old + Data("\nRound \(round): one more clarification.\n".utf8))
            ])
        let who = Signature(
            name: "Dev Contractor", email: "dev@contractors.example",
            time: GitTime(seconds: 1_800_000_000 + Int64(round) * 60, offsetMinutes: 0))
        let commit = try repository.createCommit(
            tree: tree, parents: [tip], author: who, committer: who,
            message: "Clarify SYN-\(packet)\n\nHandoff: claim SYN-\(packet)\n")
        try repository.updateReference("refs/heads/main", to: commit, expecting: tip, logMessage: "bench")
    }
}
