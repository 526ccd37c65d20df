import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// The workflow driven through real clones and pushes, processed by the engine after each push.
@Suite("Workflow over git", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct WorkflowScenarioTests {
    static let operatorEmail = "ops@acme.example", client = "ana@acme.example"
    static let contractor = "dev@contractors.example", reviewer = "rita@acme.example"

    /// A bare repository, a clone per person, and the engine with its own key.
    struct World {
        let sandbox: Sandbox
        let bare: String
        let processor: RepositoryProcessor

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            bare = "\(sandbox.root)/specs.git"
            try sandbox.git(["init", "-q", "--bare", "-b", "main", bare], in: sandbox.root)
            let key = try CommitSigningKey.prepare(at: "\(sandbox.root)/state/handoffd_ed25519", principal: "handoffd@acme.example")
            processor = RepositoryProcessor(settings: EngineSettings(operators: [WorkflowScenarioTests.operatorEmail],
                                                                     email: "handoffd@acme.example", signingKey: key))
            for person in ["ops", "ana", "dev", "rita"] {
                try sandbox.git(["clone", "-q", bare, person], in: sandbox.root)
                let email = ["ops": WorkflowScenarioTests.operatorEmail, "ana": WorkflowScenarioTests.client,
                             "dev": WorkflowScenarioTests.contractor, "rita": WorkflowScenarioTests.reviewer][person]!
                try sandbox.git(["config", "user.email", email], in: "\(sandbox.root)/\(person)")
                try sandbox.git(["config", "user.name", person], in: "\(sandbox.root)/\(person)")
            }
        }

        /// `person` pulls, applies `change` to their clone, commits with `message` and pushes; then handoffd runs.
        @discardableResult
        func step(_ person: String, _ message: String, change: (String) throws -> Void = { _ in }) throws -> ProcessingResult {
            let clone = "\(sandbox.root)/\(person)"
            _ = try? sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: clone)
            try change(clone)
            try sandbox.git(["add", "-A"], in: clone)
            try runGit(["commit", "-q", "--allow-empty", "-m", message], in: clone)
            try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
            return try processor.run(repositoryAt: bare)
        }

        func runGit(_ arguments: [String], in folder: String) throws {
            // The identity comes from each clone's config, not the sandbox defaults.
            var environment = sandbox.environment
            for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] { environment[key] = nil }
            let result = try runProcess("/usr/bin/git", arguments, in: folder, environment: environment)
            guard result.status == 0 else { throw CommandFailed(command: ["git"] + arguments, result: result) }
        }

        func show(_ path: String) throws -> String { try sandbox.git(["show", "main:\(path)"], in: bare) }
        func state(_ id: String = "PAY-142") throws -> String {
            let status = try show("specs/\(id)/status.yaml")
            return String(status.split(separator: "\n").first { $0.hasPrefix("state: ") }!.dropFirst(7))
        }
        func write(_ text: String, _ path: String, in clone: String) throws {
            try sandbox.write(text, to: path, in: clone)
        }
    }

    static let policy = """
        packet_root: specs
        roles:
          client: ["*@acme.example"]
          contractor: ["*@contractors.example"]
          reviewer: ["rita@acme.example"]

        """

    @Test("draft, ready, claim, refused and accepted submits, changes requested, delivered (the engine issue's AC-1)")
    func lifecycle() throws {
        let world = try World()
        try world.step("ops", "Policy") { try world.write(Self.policy, ".handoff/policy.yaml", in: $0) }
        var packet = PacketTemplate.example()
        packet["specs/PAY-142/handoff.yaml"] = packet["specs/PAY-142/handoff.yaml"]!.replacingOccurrences(of: "ana@acme.example", with: Self.reviewer)
        try world.step("ana", "Add PAY-142 (not finished)") { clone in
            for (path, text) in packet { try world.write(text, path, in: clone) }
            try world.write(packet["specs/PAY-142/context.md"]! + "\nOwner: TBD\n", "specs/PAY-142/context.md", in: clone)
        }
        #expect(try world.state() == "draft")
        try world.step("ana", "Finish PAY-142") { try world.write(packet["specs/PAY-142/context.md"]!, "specs/PAY-142/context.md", in: $0) }
        #expect(try world.state() == "ready")
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142 starting today")
        #expect(try world.state() == "in_progress")
        try world.step("dev", "Deliver part\n\nHandoff: submit PAY-142") {
            try world.write("- AC-1: contracts/openapi.yaml\n", "specs/PAY-142/delivery/DELIVERY.md", in: $0)
        }
        #expect(try world.state() == "in_progress")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("rejected: delivery note incomplete"))
        try world.step("dev", "Deliver all\n\nHandoff: submit PAY-142") {
            try world.write("- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.example/1\n- AC-3: 0123abcd\n", "specs/PAY-142/delivery/DELIVERY.md", in: $0)
        }
        #expect(try world.state() == "in_review")
        try world.step("rita", "Review\n\nHandoff: request-changes PAY-142 AC-3 needs a test run")
        #expect(try world.state() == "in_progress")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("round: 2\n"))
        try world.step("dev", "Again\n\nHandoff: submit PAY-142")
        #expect(try world.state() == "in_review")
        try world.step("rita", "Accept\n\nHandoff: accept PAY-142")
        #expect(try world.state() == "delivered")
        let board = try world.show(".handoff/board.md")
        #expect(board.contains("## Delivered (1)\n"))
        // Nothing new: no commit (AC-5); and the repository is sound.
        let before = try world.sandbox.git(["rev-parse", "main"], in: world.bare)
        #expect(try world.processor.run(repositoryAt: world.bare).statusCommit == nil)
        #expect(try world.sandbox.git(["rev-parse", "main"], in: world.bare) == before)
        try world.sandbox.git(["fsck", "--strict", "--no-dangling"], in: world.bare)
        // handoffd's commits verify with git itself.
        let log = try world.sandbox.gitResult(["-c", "gpg.ssh.allowedSignersFile=\(world.sandbox.root)/state/handoffd_ed25519.allowed_signers",
                                               "log", "-1", "--show-signature", "main"], in: world.bare)
        #expect(log.stdout.contains("Good \"git\" signature for handoffd@acme.example"), "\(log.stdout)\(log.stderr)")
        // Replaying from the first commit gives the same files, byte for byte.
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        #expect(replayed.count == 2)
        for (path, text) in replayed {
            let committed = try runProcess("/usr/bin/git", ["show", "main:\(path)"], in: world.bare, environment: world.sandbox.environment).stdout
            #expect(committed == text, "\(path) differs between incremental and replay")
        }
    }

    @Test("a forged handoffd commit is not trusted: everything since the genuine one is processed, tampering undone")
    func forgedWatermark() throws {
        let world = try World()
        try world.step("ops", "Policy") { try world.write(Self.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
        }
        #expect(try world.state() == "ready")
        let clone = "\(world.sandbox.root)/dev"
        _ = try? world.sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: clone)
        let status = try String(contentsOfFile: "\(clone)/specs/PAY-142/status.yaml", encoding: .utf8)
        try status.replacingOccurrences(of: "state: ready", with: "state: delivered").write(toFile: "\(clone)/specs/PAY-142/status.yaml", atomically: true, encoding: .utf8)
        try world.sandbox.git(["add", "-A"], in: clone)
        let tip = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.sandbox.git(["-c", "user.name=handoffd", "-c", "user.email=handoffd@acme.example", "commit", "-q", "-m",
                               "handoff: 1 packet updated\n\nHandoff-Processed: \(tip)"], in: clone,
                              env: ["GIT_AUTHOR_NAME": "handoffd", "GIT_AUTHOR_EMAIL": "handoffd@acme.example",
                                    "GIT_COMMITTER_NAME": "handoffd", "GIT_COMMITTER_EMAIL": "handoffd@acme.example"])
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        let result = try world.processor.run(repositoryAt: world.bare)
        #expect(result.foldedCommits == 1)
        #expect(try world.state() == "ready")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("status.yaml is written by handoffd only; written back"))
    }
}
