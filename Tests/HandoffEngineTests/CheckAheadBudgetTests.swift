import Foundation
import Git
import GitTestSupport
import HandoffCore
import Testing

@testable import HandoffEngine

/// Checking ahead (#13) spends what a commit's ``CheckBudget`` allows and no more: a commit whose files
/// exceed the budget is checked up to it by the fold, and must not be read whole, into memory, beforehand.
@Suite("Checking ahead within the budget", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct CheckAheadBudgetTests {
    @Test("a commit of contracts over the byte budget: checked ahead no further than the fold would check")
    func overBudgetCommit() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        let fileBytes = 500_000
        let files = 20 * 8  // 80 MB: over the 64 MiB a commit may cost
        for packet in 0..<20 {
            for file in 0..<8 {
                let text = "# \(packet) \(file)\n" + String(repeating: "# padding to the file limit\n", count: fileBytes / 28)
                try sandbox.write(text, to: "specs/BIG-\(packet + 1)/contracts/c\(file).yaml", in: work)
            }
        }
        try sandbox.commitAll("many large contracts", in: work)
        try sandbox.commit("a second commit, so that checking ahead starts", in: work)
        let bare = "\(sandbox.root)/bare.git"
        try sandbox.git(["clone", "-q", "--bare", work, bare], in: sandbox.root)
        try sandbox.handoffdKey()
        let key = try CommitSigningKey.load(
            at: "\(sandbox.root)/state/handoffd_ed25519", principal: "handoffd@acme.example", stateDirectory: "\(sandbox.root)/state")
        var settings = EngineSettings(operators: ["ops@acme.example"], email: "handoffd@acme.example", signingKey: key)
        settings.checkThreads = 4
        let cache = try #require(settings.cache)
        _ = try RepositoryProcessor(settings: settings).run(repositoryAt: bare)
        let saved = "\(sandbox.root)/cache.json"
        try cache.save(to: saved)
        let checked = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any]).count
        let withinBudget = CheckBudgetLimits.default.maxBytes / fileBytes + 1
        #expect(checked <= withinBudget, "\(checked) of \(files) files checked; the budget allows \(withinBudget)")
    }
}
