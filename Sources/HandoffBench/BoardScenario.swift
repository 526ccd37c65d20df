import Foundation
import Git
import HandoffCore
import HandoffEngine

/// `handoff board` on a repository with 2,000 packets: open the clone, read every status file, render.
enum BoardScenario {
    struct Figures {
        var handoffMilliseconds: Double
        var baselineMilliseconds: Double
        var packets: Int
    }

    static func run(packets: Int, rounds: Int) throws -> Figures {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-board-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A clone whose tip holds a status file for every packet (the work tree is never read by board).
        try shell(["git", "init", "-q", "-b", "main", folder.path])
        let repository = try Repository.open(at: folder.path)
        var edits: [TreeEdit] = []
        for index in 0..<packets {
            let id = PacketID("PKT-\(index)")!
            var status = PacketStatus(id: id, since: "2026-11-01T10:00:00Z", specRevision: String(repeating: "a", count: 40))
            status.title = "Packet \(index)"
            status.state = PacketState.allCases[index % PacketState.allCases.count]
            status.history = [
                HistoryEntry(
                    at: "2026-11-01T10:00:00Z", commit: String(repeating: "a", count: 40), by: "ana@acme.example",
                    action: "created", from: nil, to: status.state, note: "")
            ]
            edits.append(.upsert(path: "specs/\(id)/status.yaml", content: Data(StatusFile.render(status).utf8)))
        }
        let tree = try repository.buildTree(base: nil, edits: edits)
        let me = Signature(name: "bench", email: "bench@example", time: GitTime(seconds: 1_795_000_000, offsetMinutes: 0))
        let commit = try repository.createCommit(
            tree: tree, parents: [], author: me, committer: me, message: "status\n\nHandoff-Processed: \(String(repeating: "a", count: 40))\n")
        try repository.updateReference("refs/heads/main", to: commit, expecting: nil, logMessage: "bench")
        // A clone receives its objects packed; libgit2 wrote them loose (one file each).
        try shell(["git", "-C", folder.path, "repack", "-adq"])

        let clock = ContinuousClock()
        var handoff = Duration.zero, baseline = Duration.zero
        for _ in 0..<rounds {
            let start = clock.now
            let clone = try LocalClone.open(at: folder.path)
            var lines = 0
            for summary in clone.summaries { lines += summary.title.isEmpty ? 0 : 1 }
            _ = try clone.staleness()
            precondition(lines == packets)
            handoff += clock.now - start
            let gitStart = clock.now
            try shell(["git", "-C", folder.path, "ls-tree", "-r", "HEAD", "specs"], quiet: true)
            baseline += clock.now - gitStart
        }
        return Figures(handoffMilliseconds: ms(handoff) / Double(rounds), baselineMilliseconds: ms(baseline) / Double(rounds), packets: packets)
    }

    static func shell(_ arguments: [String], quiet: Bool = false) throws {
        try MeasuredRun.output(arguments)
    }
}
