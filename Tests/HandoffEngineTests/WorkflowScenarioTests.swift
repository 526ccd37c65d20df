import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import HandoffSystem
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
        /// Where status commits go: main itself, or this branch.
        let statusBranch: String?

        init(_ name: String = #function, statusBranch: String? = nil) throws {
            self.statusBranch = statusBranch
            sandbox = try Sandbox(name)
            bare = "\(sandbox.root)/specs.git"
            try sandbox.git(["init", "-q", "--bare", "-b", "main", bare], in: sandbox.root)
            let key = try CommitSigningKey.generate(
                at: "\(sandbox.root)/state/handoffd_ed25519", principal: "handoffd@acme.example",
                stateDirectory: "\(sandbox.root)/state")
            var settings = EngineSettings(operators: [WorkflowScenarioTests.operatorEmail], email: "handoffd@acme.example", signingKey: key)
            settings.memoryFile = "\(sandbox.root)/state/covered"
            settings.statusBranch = statusBranch
            processor = RepositoryProcessor(settings: settings)
            for person in ["ops", "ana", "dev", "rita"] {
                try sandbox.git(["clone", "-q", bare, person], in: sandbox.root)
                let email = [
                    "ops": WorkflowScenarioTests.operatorEmail, "ana": WorkflowScenarioTests.client,
                    "dev": WorkflowScenarioTests.contractor, "rita": WorkflowScenarioTests.reviewer,
                ][person]!
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

        func show(_ path: String) throws -> String { try sandbox.git(["show", "\(statusBranch ?? "main"):\(path)"], in: bare) }

        /// The files whose committed bytes differ from a replay from the first commit (empty: they agree).
        func replayDisagreements() throws -> [String] {
            try processor.replay(try Repository.open(at: bare)).sorted { $0.key < $1.key }.compactMap { path, text in
                let committed = try runProcess(
                    "/usr/bin/git", ["show", "\(statusBranch ?? "main"):\(path)"], in: bare, environment: sandbox.environment
                ).stdout
                return committed == text ? nil : path
            }
        }
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
            // A commit id counts when it is in the submitting commit's history.
            let commit = try world.sandbox.git(["rev-parse", "--short", "HEAD"], in: $0)
            try world.write(
                "- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.example/1\n- AC-3: \(commit)\n", "specs/PAY-142/delivery/DELIVERY.md", in: $0)
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
        let log = try world.sandbox.gitResult(
            [
                "-c", "gpg.ssh.allowedSignersFile=\(world.sandbox.root)/state/handoffd_ed25519.allowed_signers",
                "log", "-1", "--show-signature", "main",
            ], in: world.bare)
        #expect(log.stdout.contains("Good \"git\" signature for handoffd@acme.example"), "\(log.stdout)\(log.stderr)")
        // Replaying from the first commit gives the same files, byte for byte.
        #expect(try world.processor.replay(try Repository.open(at: world.bare)).count == 3, "the board, the packet's status and handoffd's keys")
        #expect(try world.replayDisagreements() == [])
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
        try status.replacingOccurrences(of: "state: ready", with: "state: delivered").write(
            toFile: "\(clone)/specs/PAY-142/status.yaml", atomically: true, encoding: .utf8)
        try world.sandbox.git(["add", "-A"], in: clone)
        let tip = try world.sandbox.git(["rev-parse", "HEAD"], in: clone)
        try world.sandbox.git(
            [
                "-c", "user.name=handoffd", "-c", "user.email=handoffd@acme.example", "commit", "-q", "-m",
                "handoff: 1 packet updated\n\nHandoff-Processed: \(tip)",
            ], in: clone,
            env: [
                "GIT_AUTHOR_NAME": "handoffd", "GIT_AUTHOR_EMAIL": "handoffd@acme.example",
                "GIT_COMMITTER_NAME": "handoffd", "GIT_COMMITTER_EMAIL": "handoffd@acme.example",
            ])
        try world.sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        let result = try world.processor.run(repositoryAt: world.bare)
        #expect(result.foldedCommits == 1)
        #expect(try world.state() == "ready")
        #expect(try world.show("specs/PAY-142/status.yaml").contains("status.yaml is written by handoffd only; written back"))
    }

    @Test("a force-push that rewrites history is detected, recorded on the board, and status is rebuilt")
    func forcePush() throws {
        let world = try World()
        try world.step("ops", "Policy") { try world.write(Self.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
        }
        try world.step("dev", "Claim\n\nHandoff: claim PAY-142")
        #expect(try world.state() == "in_progress")
        // The client rewrites history back to before the claim and force-pushes.
        let clone = "\(world.sandbox.root)/ana"
        try world.sandbox.git(["fetch", "-q", "origin"], in: clone)
        let beforeClaim = try world.sandbox.git(["rev-list", "-1", "--author=ana@acme.example", "origin/main"], in: clone)
        try world.sandbox.git(["reset", "-q", "--hard", beforeClaim], in: clone)
        try world.write("# notes\n", "NOTES.md", in: clone)
        try world.sandbox.git(["add", "-A"], in: clone)
        try world.runGit(["commit", "-q", "-m", "Rewritten"], in: clone)
        try world.sandbox.git(["push", "-q", "--force", "origin", "HEAD:main"], in: clone)
        try world.processor.run(repositoryAt: world.bare)
        #expect(try world.state() == "ready")
        #expect(try world.show(".handoff/board.md").contains("| history.rewritten |"))
        try world.sandbox.git(["fsck", "--strict", "--no-dangling"], in: world.bare)
    }

    @Test("bad input never stops processing: hostile files and malformed trailers beside a good packet")
    func badInput() throws {
        let world = try World()
        try world.step("ops", "Policy") { try world.write(Self.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Two packets, one hostile\n\nHandoff: claim\nHandoff: frobnicate PAY-142\nHandoff: claim ../../etc") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
            for (path, text) in PacketTemplate.example() {
                try world.write(text, path.replacingOccurrences(of: "PAY-142", with: "BAD-1"), in: clone)
            }
            try Data([0x00, 0x01, 0xFF]).write(to: URL(fileURLWithPath: "\(clone)/specs/BAD-1/context.md"))
            try Data(String(repeating: "a: &a [*a]\n", count: 3).utf8).write(to: URL(fileURLWithPath: "\(clone)/specs/BAD-1/handoff.yaml"))
            try FileManager.default.createSymbolicLink(atPath: "\(clone)/specs/BAD-1/contracts/link.yaml", withDestinationPath: "/etc/passwd")
        }
        #expect(try world.state("PAY-142") == "ready")
        let bad = try world.show("specs/BAD-1/status.yaml")
        #expect(bad.contains("state: draft"))
        for rule in ["file.binary", "manifest.invalid", "packet.unsupported-entry"] { #expect(bad.contains("\"\(rule)\""), "\(rule)") }
        let board = try world.show(".handoff/board.md")
        #expect(board.contains("unknown action 'frobnicate'"))
        #expect(board.contains("is not a packet id"))
    }

    @Test("pushes racing the engine are all covered by status commits; none is lost")
    func race() throws {
        let world = try World()
        try world.step("ops", "Policy") { try world.write(Self.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-142") { clone in
            for (path, text) in PacketTemplate.example() { try world.write(text, path, in: clone) }
        }
        let pushes = 25
        let script = """
            set -u
            n=0
            while [ $n -lt \(pushes) ]; do
              echo "note $n" >> specs/PAY-142/notes.md
              git add -A && git commit -q -m "note $n" || exit 1
              until git push -q origin HEAD:main 2>/dev/null; do git pull -q --rebase origin main || exit 1; done
              n=$((n+1))
            done
            """
        var environment = world.sandbox.environment
        environment["GIT_AUTHOR_EMAIL"] = Self.client
        environment["GIT_COMMITTER_EMAIL"] = Self.client
        let pusher = try ChildProcess("/bin/bash", ["-c", script], in: "\(world.sandbox.root)/ana", environment: environment)
        var runs = 0
        while pusher.isRunning() {
            _ = try world.processor.run(repositoryAt: world.bare)
            runs += 1
        }
        #expect(pusher.wait() >= 0)
        let final = try world.processor.run(repositoryAt: world.bare)
        let tip = try world.sandbox.git(["rev-parse", "main"], in: world.bare)
        let notes = try world.sandbox.git(["rev-list", "--count", "--grep=^note ", "main"], in: world.bare)
        #expect(Int(notes) == pushes, "pushed \(pushes), found \(notes) after \(runs) concurrent runs")
        let processed = try world.sandbox.git(["log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "main"], in: world.bare)
        #expect(
            processed == (try world.sandbox.git(["rev-parse", "main~1"], in: world.bare)), "the tip \(tip) is a status commit covering its parent")
        #expect(final.statusCommit != nil || final.processedTip?.hex == tip)
        try world.sandbox.git(["fsck", "--strict", "--no-dangling"], in: world.bare)
        let replayed = try world.processor.replay(try Repository.open(at: world.bare))
        #expect(try world.show("specs/PAY-142/status.yaml") + "\n" == replayed["specs/PAY-142/status.yaml"])
    }

    @Test("forbidden actions through git are rejected with their reason and change nothing (the engine issue's AC-2)")
    func forbiddenOverGit() throws {
        let world = try World()
        try world.step("ops", "Policy") { try world.write(Self.policy, ".handoff/policy.yaml", in: $0) }
        try world.step("ana", "Add PAY-1 and PAY-2 (depends on PAY-1)") { clone in
            for (path, text) in PacketTemplate.example() {
                try world.write(
                    text.replacingOccurrences(of: "PAY-142", with: "PAY-1"), path.replacingOccurrences(of: "PAY-142", with: "PAY-1"), in: clone)
                var second = text.replacingOccurrences(of: "PAY-142", with: "PAY-2")
                if path.hasSuffix("handoff.yaml") { second += "depends_on: [PAY-1]\n" }
                try world.write(second, path.replacingOccurrences(of: "PAY-142", with: "PAY-2"), in: clone)
            }
        }
        try world.step("ana", "Client claims\n\nHandoff: claim PAY-1")
        try world.step("dev", "Claim the dependent one early\n\nHandoff: claim PAY-2")
        try world.step("dev", "Claim\n\nHandoff: claim PAY-1")
        try world.step("dev", "Accept my own\n\nHandoff: accept PAY-1")
        try world.step("dev", "Edit the spec") { try world.write("## Background\n\nMine now.\n", "specs/PAY-1/context.md", in: $0) }
        try world.step("dev", "Change the policy") { try world.write(Self.policy + "require_ready: true\n", ".handoff/policy.yaml", in: $0) }
        let first = try world.show("specs/PAY-1/status.yaml")
        #expect(try world.state("PAY-1") == "in_progress")
        #expect(try world.state("PAY-2") == "ready")
        for reason in [
            "rejected: only contractors may claim", "rejected: only a packet in review can be accepted",
            "rejected: only clients and operators may change a packet outside delivery/",
        ] {
            #expect(first.contains(reason), "\(reason)")
        }
        #expect(try world.show("specs/PAY-2/status.yaml").contains("rejected: dependencies not delivered yet: PAY-1"))
        #expect(try world.show(".handoff/board.md").contains("| policy.unauthorized-change |"))
        // The contractor's spec edit did not change the recorded readiness or revision.
        #expect(first.contains("score: 100"))
    }
}
