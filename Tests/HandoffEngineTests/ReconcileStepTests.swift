import Foundation
import Git
import GitTestSupport
import HandoffCore
import Synchronization
import Testing

@testable import HandoffEngine

/// Each step of the reconcile pipeline on its own: the publish loop with fake attempts (no sleeping),
/// the coverage store, signature verdicts, resume, fold, render and the status commit's message.
@Suite("Reconcile steps")
struct ReconcileStepTests {
    /// Records the pauses the loop asks for instead of sleeping.
    final class Pauses: Sendable {
        private let taken = Mutex<[Int]>([])
        var attempts: [Int] { taken.withLock { $0 } }
        var pause: @Sendable (Int) -> Void { { attempt in self.taken.withLock { $0.append(attempt) } } }
    }

    // MARK: Publish loop

    @Test("the publish loop retries a moved reference at once, pauses on a lock, and returns what the attempt publishes")
    func publishLoopRetries() throws {
        let pauses = Pauses()
        let loop = PublishLoop(maxAttempts: 10, pause: pauses.pause)
        var script: [PublishAttempt<String>] = [.moved, .locked, .moved, .locked, .locked, .done("published")]
        var seen: [Int] = []
        let result = try loop.run("refs/heads/main") { number in
            seen.append(number)
            return script.removeFirst()
        }
        #expect(result == "published")
        #expect(seen == [1, 2, 3, 4, 5, 6])
        #expect(pauses.attempts == [2, 4, 5], "a pause follows each locked attempt, with its number, and never a moved one")
    }

    @Test("the publish loop gives up as contention after its attempts, having paused after every locked one")
    func publishLoopGivesUp() {
        let pauses = Pauses()
        let loop = PublishLoop(maxAttempts: 4, pause: pauses.pause)
        var attempts = 0
        #expect(throws: ProcessingError.contention(reference: "refs/heads/handoff/status", attempts: 4)) {
            let _: Int = try loop.run("refs/heads/handoff/status") { _ in
                attempts += 1
                return .locked
            }
        }
        #expect(attempts == 4)
        #expect(pauses.attempts == [1, 2, 3, 4])
        #expect(ProcessingError.contention(reference: "r", attempts: 4).needsPerson == false)
    }

    @Test("an attempt's own error ends the loop at once")
    func publishLoopPassesErrors() {
        struct Broken: Error {}
        var attempts = 0
        #expect(throws: Broken.self) {
            let _: Int = try PublishLoop(maxAttempts: 5, pause: { _ in }).run("refs/heads/main") { _ in
                attempts += 1
                throw Broken()
            }
        }
        #expect(attempts == 1)
    }

    @Test("compare-and-swap reports swapped, moved with the actual value, locked and missing as outcomes")
    func compareAndSwap() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        let first = ObjectID(try sandbox.commitAll("first", in: work))
        let second = ObjectID(try sandbox.commit("second", in: work))
        let repository = try Repository.open(at: work)
        let branch = "refs/heads/main"
        #expect(try PublishLoop.compareAndSwap(repository, branch, to: first, expecting: second) == .swapped)
        #expect(try PublishLoop.compareAndSwap(repository, branch, to: second, expecting: second) == .moved(actual: first))
        #expect(try PublishLoop.compareAndSwap(repository, "refs/heads/gone", to: second, expecting: first) == .moved(actual: nil))
        let lock = "\(work)/.git/\(branch).lock"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: lock) }
        #expect(try PublishLoop.compareAndSwap(repository, branch, to: second, expecting: first) == .locked)
    }

    // MARK: Remember

    @Test("a file coverage store keeps the covered tip across processors and ignores garbage")
    func coverageStore() throws {
        let sandbox = try Sandbox()
        let path = "\(sandbox.root)/covered"
        let tip = ObjectID.emptyTree
        #expect(FileCoverageStore(path: path).lastCovered() == nil)
        FileCoverageStore(path: path).remember(tip)
        #expect(FileCoverageStore(path: path).lastCovered() == tip)
        try Data("not an id\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(FileCoverageStore(path: path).lastCovered() == nil)
        let memory = MemoryCoverageStore()
        memory.remember(tip)
        #expect(memory.lastCovered() == tip)
        #expect(NoCoverageStore().lastCovered() == nil)
    }

    // MARK: Signature verdicts

    @Test("definite signature verdicts are remembered by commit id; 'could not check' is asked again")
    func verdictCache() {
        let cache = VerifiedCommits()
        let id = ObjectID.emptyTree
        var asked = 0
        let unverifiable = cache.verdict(for: id) {
            asked += 1
            return .unverifiable("ssh-keygen did not start")
        }
        #expect(unverifiable == .unverifiable("ssh-keygen did not start"))
        #expect(
            cache.verdict(for: id) {
                asked += 1
                return .forged
            } == .forged)
        #expect(
            cache.verdict(for: id) {
                asked += 1
                return .genuine
            } == .forged, "a definite verdict is not asked again")
        #expect(asked == 2)
    }

    // MARK: Steps on a real repository

    /// A bare repository with a policy commit, handoffd's key, and the processor's steps.
    struct Bench {
        let sandbox: Sandbox
        let work: String
        let repository: Repository
        let processor: RepositoryProcessor
        let coverage = MemoryCoverageStore()

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            work = try sandbox.workRepository()
            try sandbox.write(WorkflowScenarioTests.policy, to: ".handoff/policy.yaml", in: work)
            _ = try sandbox.commitAll("Policy", in: work)
            let key = try CommitSigningKey.generate(
                at: "\(sandbox.root)/state/key", principal: "handoffd@acme.example",
                stateDirectory: "\(sandbox.root)/state")
            // The sandbox commits as ana@client.example: the operator here, so her policy and packets count.
            let settings = EngineSettings(operators: ["ana@client.example"], email: "handoffd@acme.example", signingKey: key)
            processor = RepositoryProcessor(settings: settings, coverage: coverage)
            repository = try Repository.open(at: work)
        }

        var tip: ObjectID { get throws { try #require(try repository.referenceTarget("refs/heads/main")) } }

        /// Writes handoffd's status commit on top of the tip and moves the branch to it.
        @discardableResult
        func publish() throws -> ObjectID {
            let result = try processor.run(repository)
            return try #require(result.statusCommit)
        }
    }

    @Test("resume: the tip is handoffd's own commit, so nothing is folded and the covered tip is remembered")
    func resumeUpToDate() throws {
        let bench = try Bench()
        let input = try bench.tip
        try bench.publish()
        let resumed = try bench.processor.resumeStep.resume(bench.repository, tip: try bench.tip, rebuild: false)
        guard case .upToDate(let covered) = resumed else {
            Issue.record("expected up to date, got \(resumed)")
            return
        }
        #expect(covered == input)
        #expect(bench.coverage.lastCovered() == input)
    }

    @Test("resume: from the newest genuine status commit below newer input; a forged one is skipped")
    func resumeFromNewestTrusted() throws {
        let bench = try Bench()
        let covered = try bench.tip
        try bench.publish()
        try bench.sandbox.git(["reset", "-q", "--hard", "main"], in: bench.work)
        // A commit that only claims to be handoffd's: unsigned, with the trailer.
        _ = try bench.sandbox.commit("forged\n\nHandoff-Processed: \(ObjectID.emptyTree.hex)", in: bench.work)
        let resumed = try bench.processor.resumeStep.resume(bench.repository, tip: try bench.tip, rebuild: false)
        guard case .fold(let start) = resumed else {
            Issue.record("expected a fold, got \(resumed)")
            return
        }
        #expect(start.covered == covered)
        #expect(start.state.policy.roles["contractor"] == ["*@contractors.example"])
        guard case .fold(let rebuilt) = try bench.processor.resumeStep.resume(bench.repository, tip: try bench.tip, rebuild: true) else {
            Issue.record("expected a fold")
            return
        }
        #expect(rebuilt.covered == nil, "a rebuild starts from the first commit")
    }

    @Test("resume: a remembered tip that left the branch's history rebuilds from the first commit and says so on the board")
    func resumeAfterRewrite() throws {
        let bench = try Bench()
        bench.coverage.remember(ObjectID("0123456789abcdef0123456789abcdef01234567"))
        guard case .fold(let start) = try bench.processor.resumeStep.resume(bench.repository, tip: try bench.tip, rebuild: false) else {
            Issue.record("expected a fold")
            return
        }
        #expect(start.covered == nil)
        #expect(start.state.events.map(\.kind) == [.historyRewritten(lost: "0123456789abcdef0123456789abcdef01234567", reference: "refs/heads/main")])
    }

    @Test("fold: counts input commits, skips handoffd's own, and shows each commit's before and after to an observer")
    func foldStep() throws {
        let bench = try Bench()
        try bench.publish()
        try bench.sandbox.git(["reset", "-q", "--hard", "main"], in: bench.work)
        for (path, text) in PacketTemplate.example() { try bench.sandbox.write(text, to: path, in: bench.work) }
        _ = try bench.sandbox.commitAll("Add PAY-142", in: bench.work)
        var state = WorkflowState()
        var observed: [Int] = []
        let commits = try bench.repository.commits(from: [try bench.tip], hiding: [])
        let result = try bench.processor.foldStep.fold(bench.repository, commits: commits, state: &state, loader: nil) { _, _, before, after in
            observed.append(after.packets.count - before.packets.count)
        }
        #expect(commits.count == 3)
        #expect(result.count == 2, "the status commit in between is output, not input")
        #expect(observed == [0, 1])
        #expect(result.changed == [PacketID("PAY-142")!])
        #expect(state.packets[PacketID("PAY-142")!]?.state == .ready)
    }

    @Test("render: the files of a state, and edits that skip unchanged files and remove a stray status file")
    func renderStep() throws {
        let bench = try Bench()
        for (path, text) in PacketTemplate.example() { try bench.sandbox.write(text, to: path, in: bench.work) }
        try bench.sandbox.write("stray\n", to: "specs/GONE-1/status.yaml", in: bench.work)
        _ = try bench.sandbox.commitAll("Add PAY-142 and a stray status file", in: bench.work)
        var state = WorkflowState()
        _ = try bench.processor.foldStep.fold(bench.repository, from: nil, to: try bench.tip, state: &state, loader: nil)
        let time = try bench.repository.commit(try bench.tip).committer.time
        let files = RenderStep.files(state, processed: try bench.tip, time: time)
        #expect(Set(files.keys) == [BoardFile.path, "specs/PAY-142/status.yaml"])
        let edits = try RenderStep.edits(bench.repository, state: state, tip: try bench.tip).edits
        #expect(edits.count == 3)
        #expect(edits.contains(.remove(path: "specs/GONE-1/status.yaml")))
        let commit = try bench.processor.writer().write(bench.repository, edits: edits, covering: try bench.tip, summary: ["PAY-142: new → ready"])
        try bench.repository.updateReference("refs/heads/main", to: commit, expecting: try bench.tip, logMessage: "test")
        #expect(
            try RenderStep.edits(bench.repository, state: state, tip: commit).edits.filter {
                if case .upsertObject(let path, _, _) = $0 { path != BoardFile.path } else { true }
            }.isEmpty, "on top of its own output only the board (which names the tip) changes")
    }

    @Test("the status commit's message lists at most 200 packets, counts the rest, and ends with the processed trailer")
    func statusMessage() {
        let tip = ObjectID.emptyTree
        #expect(StatusCommitWriter.message(covering: tip, summary: []) == "handoff: 0 packets updated\n\nHandoff-Processed: \(tip.hex)\n")
        #expect(
            StatusCommitWriter.message(covering: tip, summary: ["A-1: ready"])
                == "handoff: 1 packet updated\n\n- A-1: ready\n\nHandoff-Processed: \(tip.hex)\n")
        let many = (0..<205).map { "P-\($0): ready" }
        let message = StatusCommitWriter.message(covering: tip, summary: many)
        #expect(message.split(separator: "\n").count == 1 + StatusCommitWriter.maxSummaryLines + 2)
        #expect(message.contains("- … and 5 more (see the board)\n\nHandoff-Processed: "))
    }

    @Test("the push audit turns a commit's new refusing entries and events into refusals, and nothing else")
    func auditRefusals() {
        let id = ObjectID.emptyTree
        let packet = PacketID("PAY-142")!
        var before = WorkflowState()
        before.packets[packet] = PacketStatus(id: packet, since: "", specRevision: "")
        var after = before
        after.packets[packet]?.history = [
            HistoryEntry(
                at: "", commit: id.hex, by: "dev@x", kind: .workflow(.claim), from: .ready, to: .ready,
                outcome: .rejected(.action(.notPermitted(.claim)))),
            HistoryEntry(at: "", commit: id.hex, by: "dev@x", kind: .workflow(.block), from: .ready, to: .ready, outcome: .applied(note: "")),
        ]
        after.record(BoardEvent(at: "", commit: id.hex, by: "dev@x", kind: .policyUnauthorized(identity: "dev@x")))
        after.record(BoardEvent(at: "", commit: id.hex, by: "ops@x", kind: .policyChanged(by: "ops@x")))
        let refusals = RepositoryProcessor.refusals(of: id, input: CommitInput(id: id.hex, identity: "dev@x", time: ""), before: before, after: after)
        #expect(
            refusals.map(\.reason) == [
                "claim: rejected: only contractors may claim",
                "policy.unauthorized-change: dev@x is not an operator; the policy in force is unchanged",
            ])
    }

    @Test("a status branch overlays every change of an ordinary diff, a file replaced by a folder and back included")
    func overlayConfirmsOrdinaryChanges() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/o.git")
        func tree(_ files: [String: (String, FileMode)]) throws -> ObjectID {
            try repository.buildTree(base: nil, edits: files.map { .upsert(path: $0.key, content: Data($0.value.0.utf8), mode: $0.value.1) })
        }
        let trees = [
            try tree(["docs/x": ("x\n", .blob), "a/b": ("b\n", .blob), "l": ("target", .symlink)]),
            try tree(["docs/x/y.md": ("y\n", .blob), "a/b": ("b\n", .executable), "l": ("other", .symlink), "n": ("n\n", .blob)]),
            try tree(["docs/x": ("x again\n", .blob), "l": ("l\n", .blob)]),
        ]
        for (old, new) in Array(zip(trees, trees.dropFirst())) + Array(zip(trees.dropFirst(), trees)) {
            let changes = try repository.diff(from: old, to: new)
            #expect(!changes.isEmpty)
            for change in changes { #expect(try RepositoryProcessor.confirmed(change, in: repository, from: old, to: new), "\(change)") }
        }
    }

}
