import Foundation
import Git
import HandoffCore

/// B3: one status commit into the 2,000-packet tree (a status file and the board change), made in process
/// through the Git layer, against git's own plumbing doing the same (`hash-object`, `ls-tree`, `mktree`,
/// `commit-tree`, `update-ref`). Neither side signs: signing is the same ssh-keygen call for both.
enum StatusCommitScenario {
    struct Figures {
        var handoffMilliseconds: Double
        var baselineMilliseconds: Double
    }

    static func run(repository path: String, packets: Int, rounds: Int) throws -> Figures {
        let repository = try Repository.open(at: path)
        guard let tip = try repository.referenceTarget("refs/heads/main") else { throw BenchError("B3: no main") }
        let tree = try repository.tree(ofCommit: tip)
        let me = Signature(name: "handoffd", email: "handoffd@acme.example", time: GitTime(seconds: 1_800_000_000, offsetMinutes: 0))
        let clock = ContinuousClock()
        var handoff: [Double] = [], baseline: [Double] = []
        var previous: ObjectID?, previousGit: String?
        for round in 0..<rounds {
            let packet = "specs/SYN-\((round * 7) % packets)"
            let status = "state: in_progress\nround: \(round)\n", board = "# Board\n\nround \(round)\n"
            let start = clock.now
            let newTree = try repository.buildTree(
                base: tree,
                edits: [
                    .upsert(path: "\(packet)/status.yaml", content: Data(status.utf8)),
                    .upsert(path: BoardFile.path, content: Data(board.utf8)),
                ])
            let commit = try repository.createCommit(
                tree: newTree, parents: [tip], author: me, committer: me,
                message: "handoff: 1 packet updated\n\nHandoff-Processed: \(tip.hex)\n")
            try repository.updateReference("refs/heads/bench-b3", to: commit, expecting: previous, logMessage: "bench")
            handoff.append(ms(clock.now - start))
            previous = commit

            let gitStart = clock.now
            previousGit = try plumbing(path, tip: tip.hex, packet: packet, status: status, board: board, previous: previousGit)
            baseline.append(ms(clock.now - gitStart))
        }
        return Figures(handoffMilliseconds: median(handoff), baselineMilliseconds: median(baseline))
    }

    /// The same commit through git's plumbing: new blobs, the three trees on each path rebuilt, the commit, the ref.
    static func plumbing(_ gitDir: String, tip: String, packet: String, status: String, board: String, previous: String?) throws -> String {
        func git(_ arguments: [String], input: String? = nil) throws -> String {
            try MeasuredRun.output(["/usr/bin/git", "--git-dir", gitDir] + arguments, input: input)
        }
        func replace(_ listing: String, name: String, with line: String) -> String {
            var lines = listing.split(separator: "\n").map(String.init).filter { !$0.hasSuffix("\t\(name)") }
            lines.append(line)
            return lines.joined(separator: "\n") + "\n"
        }
        let statusBlob = try git(["hash-object", "-w", "--stdin"], input: status).trimmed
        let boardBlob = try git(["hash-object", "-w", "--stdin"], input: board).trimmed
        let packetName = String(packet.split(separator: "/").last!)
        let packetTree = try git(
            ["mktree"],
            input: replace(
                try git(["ls-tree", "\(tip):\(packet)"]), name: "status.yaml",
                with: "100644 blob \(statusBlob)\tstatus.yaml")
        ).trimmed
        let specsTree = try git(
            ["mktree"],
            input: replace(
                try git(["ls-tree", "\(tip):specs"]), name: packetName,
                with: "040000 tree \(packetTree)\t\(packetName)")
        ).trimmed
        let handoffTree = try git(
            ["mktree"],
            input: replace(
                try git(["ls-tree", "\(tip):.handoff"]), name: "board.md",
                with: "100644 blob \(boardBlob)\tboard.md")
        ).trimmed
        var root = replace(try git(["ls-tree", tip]), name: "specs", with: "040000 tree \(specsTree)\tspecs")
        root = replace(root, name: ".handoff", with: "040000 tree \(handoffTree)\t.handoff")
        let rootTree = try git(["mktree"], input: root).trimmed
        let commit = try git(["commit-tree", rootTree, "-p", tip, "-m", "handoff: 1 packet updated"]).trimmed
        _ = try git(["update-ref", "refs/heads/bench-b3-git", commit] + (previous.map { [$0] } ?? [String(repeating: "0", count: 40)]))
        return commit
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
