import Foundation
import Git
import GitTestSupport
import HandoffCore
import Testing

@testable import HandoffEngine

/// Status is a pure function of history: random histories, processed in random increments with a status
/// commit after each, give the same files as one pass from the first commit (the engine issue's AC-3).
@Suite("Determinism", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct DeterminismTests {
    static let people = [
        "ops@acme.example", "ana@acme.example", "rita@acme.example", "dev@contractors.example",
        "eve@contractors.example", "nobody@else.example",
    ]
    static let packets = ["PAY-1", "PAY-2", "PAY-3"]
    static let actions = WorkflowAction.allCases.map(\.rawValue)

    @Test("incremental processing equals a single pass, byte for byte", arguments: [UInt64(1), 2, 3])
    func incrementalEqualsReplay(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let world = try WorkflowScenarioTests.World("determinism\(seed)")
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        let clone = "\(world.sandbox.root)/ana"
        var runs = 0
        for step in 0..<28 {
            _ = try? world.sandbox.git(["pull", "-q", "--ff-only", "origin", "main"], in: clone)
            let who = Self.people.randomElement(using: &random)!
            let packet = Self.packets.randomElement(using: &random)!
            var trailers: [String] = []
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                trailers.append("Handoff: \(Self.actions.randomElement(using: &random)!) \(Self.packets.randomElement(using: &random)!) step \(step)")
            }
            let onSideBranch = Int.random(in: 0..<6, using: &random) == 0
            if onSideBranch { try world.sandbox.git(["checkout", "-q", "-b", "side\(step)"], in: clone) }
            try change(Int.random(in: 0..<6, using: &random), packet: packet, clone: clone, world: world, step: step, random: &random)
            try world.sandbox.git(["add", "-A"], in: clone)
            let message = "step \(step)" + (trailers.isEmpty ? "" : "\n\n" + trailers.joined(separator: "\n"))
            try commit(message, as: who, in: clone, world: world)
            if onSideBranch {
                try world.sandbox.git(["checkout", "-q", "main"], in: clone)
                try commit(
                    "merge side \(step)\n\nHandoff: block \(packet) from a merge", as: who, in: clone, world: world,
                    arguments: ["merge", "-q", "--no-ff", "side\(step)", "-m"])
            }
            try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
            if Int.random(in: 0..<3, using: &random) == 0 {
                try world.processor.run(repositoryAt: world.bare)
                runs += 1
            }
        }
        try world.processor.run(repositoryAt: world.bare)
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        #expect(replayed.count >= 2)
        #expect(runs >= 3, "seed \(seed) processed in only \(runs) increments")
        for (path, text) in replayed {
            let committed = try runProcess("/usr/bin/git", ["show", "main:\(path)"], in: world.bare, environment: world.sandbox.environment).stdout
            if path == BoardFile.path {
                #expect(committed == text, "board differs after \(runs) incremental runs (seed \(seed))")
            } else {
                #expect(committed == text, "\(path) differs after \(runs) incremental runs (seed \(seed))")
            }
        }
        try world.sandbox.git(["fsck", "--strict", "--no-dangling"], in: world.bare)
    }

    /// #13 item 4: files checked ahead on several threads are what the fold would have computed itself, so a
    /// catch-up writes the same status commits, byte for byte, with one thread or four.
    @Test(
        "checking ahead on four threads, with windows of five commits prepared on a thread of their own, writes what one thread writes, byte for byte",
        arguments: [UInt64(11), 12])
    func checkAheadEqualsOneThread(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let world = try WorkflowScenarioTests.World("checkahead\(seed)")
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        let clone = "\(world.sandbox.root)/ana"
        for step in 0..<24 {
            _ = try? world.sandbox.git(["pull", "-q", "--ff-only", "origin", "main"], in: clone)
            let packet = Self.packets.randomElement(using: &random)!
            try change(Int.random(in: 0..<3, using: &random), packet: packet, clone: clone, world: world, step: step, random: &random)
            // New contract and acceptance blobs at most steps: the files checking ahead is for.
            if FileManager.default.fileExists(atPath: "\(clone)/specs/\(packet)/acceptance.md") {
                let acceptance = "\(clone)/specs/\(packet)/acceptance.md"
                try (String(contentsOfFile: acceptance, encoding: .utf8) + "- AC-\(step + 10): The service should respond quickly, as appropriate.\n")
                    .write(toFile: acceptance, atomically: true, encoding: .utf8)
                let contract = "\(clone)/specs/\(packet)/contracts/openapi.yaml"
                try (String(contentsOfFile: contract, encoding: .utf8) + (Bool.random(using: &random) ? "x-step: \(step)\n" : "  broken: [\n"))
                    .write(toFile: contract, atomically: true, encoding: .utf8)
            }
            try world.sandbox.git(["add", "-A"], in: clone)
            let who = Self.people.randomElement(using: &random)!
            let action = Self.actions.randomElement(using: &random)!
            try commit("step \(step)\n\nHandoff: \(action) \(packet) step \(step)", as: who, in: clone, world: world)
            try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        }
        var trees: [String] = []
        for threads in [1, 4] {
            let copy = "\(world.sandbox.root)/copy\(threads).git"
            try world.sandbox.git(["clone", "-q", "--bare", world.bare, copy], in: world.sandbox.root)
            let key = try CommitSigningKey.load(
                at: "\(world.sandbox.root)/state/handoffd_ed25519", principal: "handoffd@acme.example", stateDirectory: "\(world.sandbox.root)/state")
            var settings = EngineSettings(operators: [WorkflowScenarioTests.operatorEmail], email: "handoffd@acme.example", signingKey: key)
            settings.checkThreads = threads
            settings.checkWindow = 5  // several windows: the next is prepared while one folds (WindowPipeline)
            let cache = try #require(settings.cache)
            let result = try RepositoryProcessor(settings: settings).run(repositoryAt: copy)
            #expect(result.foldedCommits > 20)
            if threads > 1 { #expect(cache.statistics.misses < cache.statistics.hits, "checked ahead: the fold found its files in the cache") }
            trees.append(try world.sandbox.git(["rev-parse", "main"], in: copy))
        }
        #expect(trees[0] == trees[1], "the status commits differ (seed \(seed))")
    }

    func commit(
        _ message: String, as email: String, in clone: String, world: WorkflowScenarioTests.World,
        arguments: [String] = ["commit", "-q", "--allow-empty", "-m"]
    ) throws {
        let result = try runProcess(
            "/usr/bin/git", arguments + [message], in: clone,
            environment: world.sandbox.environment.merging([
                "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_NAME": email, "GIT_COMMITTER_NAME": email,
            ]) { $1 })
        guard result.status == 0 else { throw CommandFailed(command: ["git"] + arguments, result: result) }
    }

    func change(_ kind: Int, packet: String, clone: String, world: WorkflowScenarioTests.World, step: Int, random: inout SeededGenerator) throws {
        let folder = "specs/\(packet)"
        switch kind {
        case 0, 1:  // write or rewrite the spec, sometimes with a placeholder
            for (path, text) in PacketTemplate.example() {
                var content = text.replacingOccurrences(of: "PAY-142", with: packet)
                if packet == "PAY-3", path.hasSuffix("handoff.yaml") { content += "depends_on: [PAY-1]\n" }
                try world.write(content, path.replacingOccurrences(of: "specs/PAY-142", with: folder), in: clone)
            }
            if kind == 1 { try world.write("# \(packet)\n\n## Background\n\nTBD step \(step)\n", "\(folder)/context.md", in: clone) }
        case 2:  // a delivery note, complete or not
            let complete = Bool.random(using: &random)
            try world.write(
                complete
                    ? "- AC-1: contracts/openapi.yaml\n- AC-2: /specs/\(packet)/acceptance.md\n- AC-3: https://ci.example/\(step)\n"
                    : "- AC-1: nowhere.md\n",
                "\(folder)/delivery/DELIVERY.md", in: clone)
        case 3:  // tampering with status
            try world.write("state: delivered\n", "\(folder)/status.yaml", in: clone)
        case 4:  // a policy edit (honoured only for the operator)
            try world.write(WorkflowScenarioTests.policy + "require_ready: \(Bool.random(using: &random))\n", ".handoff/policy.yaml", in: clone)
        default:  // nothing: actions only
            break
        }
    }

    @Test("a resumed status commit whose status file does not parse is not trusted: the run rebuilds from the first commit")
    func unreadableStatusRebuilds() throws {
        let world = try WorkflowScenarioTests.World()
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
        }
        // A genuine, signed status commit whose PAY-142 status file is garbage (as older versions could leave).
        let repository = try Repository.open(at: world.bare)
        let tip = try #require(try repository.referenceTarget("refs/heads/main"))
        let forged = try world.processor.writer().write(
            repository, edits: [.upsert(path: "specs/PAY-142/status.yaml", content: Data("id: [\n".utf8))],
            covering: tip, summary: [])
        try repository.updateReference("refs/heads/main", to: forged, expecting: tip, logMessage: "test")
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142")
        #expect(try world.state() == "in_progress")
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        #expect(try world.show("specs/PAY-142/status.yaml") == replayed["specs/PAY-142/status.yaml"]?.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(
        "past the page threshold the rows are on pages: a run rewrites the changed packet's page only, tampering is written back, and the layout follows the count both ways, as replay",
        arguments: [nil, "handoff/status"] as [String?])
    func boardPages(statusBranch: String?) throws {
        let world = try WorkflowScenarioTests.World("boardPages\(statusBranch == nil ? "" : "OnBranch")", statusBranch: statusBranch)
        let reference = statusBranch ?? "main"
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        let count = BoardFile.pageThreshold + 2
        try world.step("ana", "Add \(count) packets") { clone in
            for index in 0..<count {
                for (path, text) in PacketTemplate.scaffold(id: PacketID("BIG-\(index)")!, title: "Packet \(index)") {
                    try world.write(text, path, in: clone)
                }
            }
        }
        func git(_ arguments: [String]) throws -> [String] {
            try world.sandbox.git(arguments, in: world.bare).split(separator: "\n").map(String.init)
        }
        let pages = (0..<BoardFile.pageCount).map { BoardFile.pagePath($0) }
        #expect(try git(["ls-tree", "--name-only", "\(reference):\(BoardFile.pageFolder)/"]).map { "\(BoardFile.pageFolder)/\($0)" } == pages)
        #expect(!(try world.show(BoardFile.path)).contains("| BIG-"))
        #expect(try world.show(BoardFile.pagePath(BoardFile.page(of: "BIG-7"))).contains("| BIG-7 | Packet 7 |"))
        #expect(try world.replayDisagreements() == [])

        // A new title changes one row: the board and that packet's page are rewritten, no other page.
        let before = try git(["rev-parse", reference])[0]
        try world.step("ana", "Retitle BIG-1") { clone in
            let manifest = "\(clone)/specs/BIG-1/handoff.yaml"
            let text = try String(contentsOfFile: manifest, encoding: .utf8)
            try text.replacingOccurrences(of: "Packet 1", with: "Renamed one").write(toFile: manifest, atomically: true, encoding: .utf8)
        }
        #expect(
            try git(["diff", "--name-only", before, reference, "--", ".handoff"])
                == [BoardFile.pagePath(BoardFile.page(of: "BIG-1")), BoardFile.path].sorted())

        // A page forged and a file put among the pages: recorded as tampering, written back, the stranger gone.
        try world.step("ana", "Forge a page") { clone in
            try world.write("forged\n", BoardFile.pagePath(5), in: clone)
            try world.write("stranger\n", "\(BoardFile.pageFolder)/zz.md", in: clone)
        }
        #expect(try git(["ls-tree", "--name-only", "\(reference):\(BoardFile.pageFolder)/"]).count == BoardFile.pageCount)
        #expect(try world.show(BoardFile.path).contains("tamper"))
        #expect(try world.replayDisagreements() == [])

        // Three packets fewer, at the threshold: the rows come back to the board, and the pages go.
        try world.step("ana", "Remove three packets") { clone in
            for index in 0..<3 { try FileManager.default.removeItem(atPath: "\(clone)/specs/BIG-\(index)") }
        }
        #expect(try git(["ls-tree", reference, BoardFile.pageFolder]).isEmpty)
        #expect(try world.show(BoardFile.path).contains("| BIG-3 |"))
        #expect(try world.replayDisagreements() == [])
        try world.sandbox.git(["fsck", "--strict", "--no-dangling"], in: world.bare)
    }

    @Test(
        "a hostile .handoff folder (out of order, a name twice) hides nothing from the run: no forged page stays, no file where a folder goes stalls it",
        arguments: [nil, "handoff/status"] as [String?])
    func hostileHandoffFolder(statusBranch: String?) throws {
        let world = try WorkflowScenarioTests.World("hostileHandoff\(statusBranch == nil ? "" : "OnBranch")", statusBranch: statusBranch)
        let reference = statusBranch ?? "main"
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add a packet") { clone in
            for (path, text) in PacketTemplate.scaffold(id: PacketID("PAY-1")!, title: "Refunds") { try world.write(text, path, in: clone) }
        }
        let bare = world.bare
        func git(_ arguments: [String]) throws -> String { try world.sandbox.git(arguments, in: bare) }
        func id(_ text: String) throws -> ObjectID { try #require(ObjectID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))) }
        // The input's .handoff as a hostile pusher writes it, entries in the order given.
        func push(
            _ handoff: [(mode: String, name: String, id: ObjectID)], _ message: String, before: [(mode: String, name: String, id: ObjectID)] = [],
            after: [(mode: String, name: String, id: ObjectID)] = []
        ) throws {
            let hostile = try world.sandbox.rawTree(handoff, in: bare)
            let root = try git(["ls-tree", "main"]).split(separator: "\n").map { line -> (mode: String, name: String, id: ObjectID) in
                let parts = line.split(separator: "\t", maxSplits: 1)
                let head = parts[0].split(separator: " ")
                let name = String(parts[1])
                return (String(head[0]), name, name == ".handoff" ? hostile : try! id(String(head[2])))
            }
            let tree = try world.sandbox.rawTree(before + root + after, in: bare)
            let commit = try git(["commit-tree", tree.hex, "-p", "main", "-m", message])
            _ = try git(["update-ref", "refs/heads/main", commit.trimmingCharacters(in: .whitespacesAndNewlines)])
            try world.processor.run(repositoryAt: bare)
        }
        let policy = try id(try git(["rev-parse", "main:.handoff/policy.yaml"]))
        let row = "| PAY-666 | FORGED | — | 2026-01-01 | 100 | 0 |\n"
        let page = try world.sandbox.rawTree(
            [("100644", "00.md", try id(try world.sandbox.git(["hash-object", "-w", "--stdin"], in: bare, input: "## Delivered (1)\n\n" + row)))],
            in: bare)
        let board = try id(try git(["rev-parse", "\(reference):.handoff/board.md"]))
        // A pages folder listed after "zz", where a search for "board" does not look.
        try push(
            [("100644", "board.md", board), ("100644", "policy.yaml", policy), ("100644", "zz", board), ("40000", "board", page)], "Hide a page")
        #expect(
            try git(["ls-tree", "--name-only", "\(reference):.handoff"]).split(separator: "\n").map(String.init).filter { $0 == "board" }.isEmpty)
        try world.step("ana", "Benign") { try world.write("more\n", "specs/PAY-1/notes.md", in: $0) }
        #expect(!(try world.show(BoardFile.path)).contains("FORGED"))
        #expect(try world.replayDisagreements() == [])
        // board.md twice, a folder last (libgit2's builder keeps the last): once stalled every run.
        let tip = try git(["rev-parse", reference])
        try push([("100644", "board.md", board), ("100644", "policy.yaml", policy), ("40000", "board.md", page)], "A folder where the board goes")
        #expect(try git(["rev-parse", reference]) != tip, "the run published")
        #expect(try git(["cat-file", "-t", "\(reference):\(BoardFile.path)"]).hasPrefix("blob"))
        #expect(try world.replayDisagreements() == [])
        // A name holding a `/` beside .handoff sorts equal to its entries: it neither hides .handoff from the
        // run nor makes the diff enter a file as a folder; it does not reach the status commit.
        let again = try git(["rev-parse", reference])
        try push(
            [("100644", "board.md", board), ("100644", "policy.yaml", policy), ("100644", "zz", board), ("40000", "board", page)],
            "Hide behind a slash",
            before: [("100644", ".handoff/ae", board)])
        #expect(try git(["rev-parse", reference]) != again, "the run published")
        #expect(try git(["ls-tree", "--name-only", reference]).split(separator: "\n").allSatisfy { !$0.contains("/") })
        #expect(try git(["ls-tree", "--name-only", "\(reference):.handoff"]).split(separator: "\n").allSatisfy { $0 != "board" })
        try world.step("ana", "Benign again") { try world.write("more again\n", "specs/PAY-1/notes.md", in: $0) }
        #expect(!(try world.show(BoardFile.path)).contains("FORGED"))
        // A root blob named like a packet file: the status tree holds the packet's real file, as a rebuild does.
        let real = try git(["ls-tree", "main:specs/PAY-1"]).split(separator: "\n").first { $0.hasSuffix("\thandoff.yaml") }
        try push(
            [("100644", "board.md", board), ("100644", "policy.yaml", policy)], "Shadow a manifest",
            after: [("100644", "specs/PAY-1/handoff.yaml", board)])
        #expect(try git(["ls-tree", "--name-only", reference]).split(separator: "\n").allSatisfy { !$0.contains("/") })
        let listing = try git(["ls-tree", "-r", reference])
        #expect(
            try git(["ls-tree", "\(reference):specs/PAY-1"]).split(separator: "\n").first { $0.hasSuffix("\thandoff.yaml") } == real, "\(listing)")
        #expect(try world.replayDisagreements() == [])
    }

    @Test("a first pass over more packets than a status message lists stays resumable: the message is bounded")
    func boundedStatusMessage() throws {
        let world = try WorkflowScenarioTests.World()
        try world.step("ops", "Policy") { try world.write(WorkflowScenarioTests.policy, ".handoff/policy.yaml", in: $0) }
        let count = StatusCommitWriter.maxSummaryLines + 30
        try world.step("ana", "Add \(count) packets") { clone in
            for index in 0..<count {
                for (path, text) in PacketTemplate.scaffold(id: PacketID("BIG-\(index)")!, title: "Packet \(index)") {
                    try world.write(text, path, in: clone)
                }
            }
        }
        let message = try world.sandbox.git(["log", "-1", "--format=%B", "main"], in: world.bare)
        #expect(message.contains("- … and 30 more (see the board)"))
        #expect(message.split(separator: "\n").count < StatusCommitWriter.maxSummaryLines + 10)
        // The next run resumes from that commit: it folds one commit, not the whole history again.
        let next = try world.step("dev", "Claim\n\nHandoff: claim BIG-1")
        #expect(next.foldedCommits == 1)
    }
}
