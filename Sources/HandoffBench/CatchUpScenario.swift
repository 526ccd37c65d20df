import Foundation

/// B1: cold catch-up. `handoffd --once` folds a whole synthetic history with no status yet, against two
/// readings of the same range by git (#13, item 5): `git log -p --no-renames` (reads and diffs every changed
/// file, as the fold must) and `git log --raw --no-renames` (the tree walk alone: the floor).
enum CatchUpScenario {
    struct Figures {
        var handoff: MeasuredRun
        /// `git log --raw`: the tree-walk floor.
        var baseline: MeasuredRun
        /// `git log -p`: a reader of every changed file.
        var patches: MeasuredRun
        var repository: SyntheticRepository
        var configuration: String
        var states: String
    }

    static func run(handoffd: String, folder: String, packets: Int, seed: UInt64) throws -> Figures {
        let repository = try SyntheticRepository.create(at: "\(folder)/b1.git", packets: packets, seed: seed)
        let configuration = "\(folder)/b1.yaml"
        try Data(
            """
            identity: { email: handoffd@acme.example }
            state_directory: \(folder)/state
            notify_socket: \(folder)/notify.sock
            poll_interval: 60
            repositories:
              - { name: b1, path: \(repository.path), operators: [ops@acme.example] }

            """.utf8
        ).write(to: URL(fileURLWithPath: configuration))
        try BoardScenario.shell([handoffd, "key", "generate", "--config", configuration])
        // Both read a packed repository from a warm page cache: one unmeasured pass first.
        let log = ["git", "--git-dir", repository.path, "log", "--raw", "--no-renames", "--format=%H%n%B", "main"]
        _ = try MeasuredRun.run(log)
        let baseline = try MeasuredRun.run(log)
        let patches = try MeasuredRun.run(["git", "--git-dir", repository.path, "log", "-p", "--no-renames", "--format=%H%n%B", "main"])
        let handoff = try MeasuredRun.run([handoffd, "--config", configuration, "--once"])
        guard handoff.status == 0 else { throw BenchError("handoffd --once failed in B1: \(handoff.stderr)") }
        return Figures(
            handoff: handoff, baseline: baseline, patches: patches, repository: repository, configuration: configuration,
            states: try states(repository.path))
    }

    /// `delivered 1800, in_review 200`: the states the fold reached, as a check that the workflow ran.
    static func states(_ repository: String) throws -> String {
        let listing = try MeasuredRun.output(["git", "--git-dir", repository, "grep", "-h", "^state:", "main", "--", "specs/*/status.yaml"])
        var counts: [String: Int] = [:]
        for line in listing.split(separator: "\n") {
            counts[line.replacingOccurrences(of: "state:", with: "").trimmingCharacters(in: .whitespaces), default: 0] += 1
        }
        return counts.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
