import Foundation
import Git
import GitTestSupport
import HandoffCore
import Testing

@testable import HandoffEngine

/// Several writers of one status converge on one status commit per change, and a status commit at the tip
/// never becomes "the processed commit" (what replay names).
@Suite("Convergence")
struct ConvergenceTests {
    /// A work repository with a policy and a packet, and processors sharing one key (like two instances).
    struct Twin {
        let sandbox: Sandbox
        let work: String
        let key: CommitSigningKey

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            work = try sandbox.workRepository()
            try sandbox.write(WorkflowScenarioTests.policy, to: ".handoff/policy.yaml", in: work)
            for (path, text) in PacketTemplate.example() { try sandbox.write(text, to: path, in: work) }
            _ = try sandbox.commitAll("Policy and PAY-142", in: work)
            key = try CommitSigningKey.generate(
                at: "\(sandbox.root)/state/key", principal: "handoffd@acme.example", stateDirectory: "\(sandbox.root)/state")
        }

        func processor(pause: @escaping @Sendable (Int) -> Void = { _ in }) -> RepositoryProcessor {
            let settings = EngineSettings(operators: ["ana@client.example"], email: "handoffd@acme.example", signingKey: key)
            var processor = RepositoryProcessor(settings: settings, coverage: MemoryCoverageStore())
            processor.publishing = PublishLoop(maxAttempts: 5, pause: pause)
            return processor
        }

        func tip() throws -> ObjectID { ObjectID(try sandbox.git(["rev-parse", "main"], in: work)) }
        func statusCommits() throws -> Int {
            Int(try sandbox.git(["rev-list", "--count", "--grep=^Handoff-Processed:", "main"], in: work))!
        }
    }

    @Test("an instance that loses the race to another's identical status commit publishes nothing and names the input")
    func lostRaceAddsNothing() throws {
        let twin = try Twin()
        let input = try twin.tip()
        let lock = "\(twin.work)/.git/refs/heads/main.lock"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
        // While the loser waits for the lock, the winner publishes: the loser then finds the branch moved to a
        // status commit that covers what it folded.
        let winner = twin.processor()
        let path = twin.work
        let loser = twin.processor { _ in
            try? FileManager.default.removeItem(atPath: lock)
            _ = try? winner.run(repositoryAt: path)
        }
        let result = try loser.run(try Repository.open(at: twin.work))
        #expect(result.statusCommit == nil, "no second status commit for the same change")
        #expect(result.processedTip == input)
        #expect(try twin.statusCommits() == 1)
        let published = try twin.sandbox.git(["show", "main:.handoff/board.md"], in: twin.work)
        #expect(published.contains("Status as of commit `\(input.hex.prefix(12))`"))
    }

    @Test("after a force-push back to a status commit, the rebuilt board names the commit replay names")
    func forcePushToStatusCommit() throws {
        let twin = try Twin()
        let processor = twin.processor()
        let first = try #require(try processor.run(try Repository.open(at: twin.work)).statusCommit)
        try twin.sandbox.git(["reset", "-q", "--hard", "main"], in: twin.work)
        _ = try twin.sandbox.commit("Claim\n\nHandoff: block PAY-142 waiting", in: twin.work)
        #expect(try processor.run(try Repository.open(at: twin.work)).statusCommit != nil)
        // Someone resets the branch to the first status commit: the covered claim left the history.
        try twin.sandbox.git(["update-ref", "refs/heads/main", first.hex], in: twin.work)
        try processor.run(try Repository.open(at: twin.work))
        let repository = try Repository.open(at: twin.work)
        let replayed = try processor.replay(repository)
        let board = try twin.sandbox.git(["show", "main:.handoff/board.md"], in: twin.work) + "\n"
        #expect(BoardFile.packetTables(board) == BoardFile.packetTables(try #require(replayed[BoardFile.path])))
        #expect(board.contains("history.rewritten"))
        let status = try twin.sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: twin.work) + "\n"
        #expect(status == replayed["specs/PAY-142/status.yaml"])
    }
}
