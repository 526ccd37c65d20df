import Foundation
import GitTestSupport
import HandoffCore
import HandoffEngine
import HandoffSystem
import Testing

/// The workflow driven only with `handoff` commands and `git push`/`git pull`, in separate clones.
@Suite("handoff commands in clones", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct CLIWorkflowTests {
    /// A served bare repository with its handoffd configuration, and one clone per person.
    struct Team {
        let sandbox: Sandbox
        let bare: String
        let config: String

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            try sandbox.handoffdKey()
            bare = "\(sandbox.root)/specs.git"
            try sandbox.git(["init", "-q", "--bare", "-b", "main", bare], in: sandbox.root)
            config = "\(sandbox.root)/handoffd.yaml"
            try Data(DemoRepository.configuration(repository: bare, stateDirectory: "\(sandbox.root)/state").utf8)
                .write(to: URL(fileURLWithPath: config))
            for (person, email) in [
                ("ops", "ops@acme.example"), ("ana", "ana@acme.example"), ("dev", "dev@contractors.example"),
                ("rita", "rita@acme.example"),
            ] {
                try sandbox.git(["clone", "-q", bare, person], in: sandbox.root)
                try sandbox.git(["config", "user.email", email], in: clone(person))
                try sandbox.git(["config", "user.name", person], in: clone(person))
            }
        }

        func clone(_ person: String) -> String { "\(sandbox.root)/\(person)" }

        /// Runs `handoff ARGS` in a person's clone, with their identity from the clone's config.
        func handoff(_ person: String, _ arguments: [String]) throws -> ProcessResult {
            var environment = sandbox.environment
            for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] { environment[key] = nil }
            return try runProcess(CLITests.handoff, arguments, in: clone(person), environment: environment)
        }

        func git(_ person: String, _ arguments: [String]) throws {
            var environment = sandbox.environment
            for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] { environment[key] = nil }
            let result = try runProcess("/usr/bin/git", arguments, in: clone(person), environment: environment)
            guard result.status == 0 else { throw CommandFailed(command: ["git"] + arguments, result: result) }
        }

        /// Pushes, lets handoffd process, and pulls into every clone.
        func pushAndProcess(_ person: String) throws {
            try git(person, ["push", "-q", "origin", "HEAD:main"])
            let once = try runProcess(CLITests.handoffd, ["--config", config, "--once"])
            guard once.status == 0 else { throw CommandFailed(command: ["handoffd"], result: once) }
            for other in ["ops", "ana", "dev", "rita"] { try git(other, ["pull", "-q", "--ff-only", "origin", "main"]) }
        }

        func state(_ id: String = "PAY-1") throws -> String {
            let json = try handoff("ana", ["status", id, "--format", "json"]).stdout
            let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
            return list?.first?["state"] as? String ?? "?"
        }
    }

    @Test("the whole lifecycle with handoff commands and git only, three identities (the CLI issue's AC-1 and AC-4)")
    func lifecycle() throws {
        let team = try Team()
        try team.sandbox.write(
            "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n  reviewer: [rita@acme.example]\n",
            to: ".handoff/policy.yaml", in: team.clone("ops"))
        try team.git("ops", ["add", "-A"])
        try team.git("ops", ["commit", "-q", "-m", "policy"])
        try team.pushAndProcess("ops")

        #expect(try team.handoff("ana", ["init", "PAY-1", "--title", "Partial refunds"]).status == 0)
        let draft = try team.handoff("ana", ["validate", "specs/PAY-1"])
        #expect(draft.status == 1)
        #expect(draft.stdout.contains("[context.placeholder]") && draft.stdout.contains("[acceptance.placeholder]"))
        try team.git("ana", ["add", "-A"])
        try team.git("ana", ["commit", "-q", "-m", "Scaffold PAY-1"])
        try team.pushAndProcess("ana")
        #expect(try team.state() == "draft")

        for (path, text) in PacketTemplate.example() {
            let target = path.replacingOccurrences(of: "PAY-142", with: "PAY-1")
            var content = text.replacingOccurrences(of: "PAY-142", with: "PAY-1")
            if target.hasSuffix("handoff.yaml") { content = content.replacingOccurrences(of: "ana@acme.example", with: "rita@acme.example") }
            try team.sandbox.write(content, to: target, in: team.clone("ana"))
        }
        let filled = try team.handoff("ana", ["validate", "specs/PAY-1"])
        #expect(filled.status == 0, "\(filled.stdout)")
        try team.git("ana", ["commit", "-q", "-am", "Write PAY-1"])
        try team.pushAndProcess("ana")
        #expect(try team.state() == "ready")

        #expect(try team.handoff("dev", ["claim", "PAY-1", "-m", "starting today"]).status == 0)
        try team.pushAndProcess("dev")
        #expect(try team.state() == "in_progress")

        try team.sandbox.write("- AC-1: contracts/openapi.yaml\n", to: "specs/PAY-1/delivery/DELIVERY.md", in: team.clone("dev"))
        try team.git("dev", ["add", "-A"])
        try team.git("dev", ["commit", "-q", "-m", "Partial delivery"])
        let refused = try team.handoff("dev", ["submit", "PAY-1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("delivery note incomplete") && refused.stderr.contains("AC-2"))
        let commit = try team.sandbox.git(["rev-parse", "--short", "HEAD"], in: team.clone("dev"))
        try team.sandbox.write(
            "- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.example/1\n- AC-3: \(commit)\n",
            to: "specs/PAY-1/delivery/DELIVERY.md", in: team.clone("dev"))
        try team.git("dev", ["commit", "-q", "-am", "Full delivery"])
        #expect(try team.handoff("dev", ["submit", "PAY-1"]).status == 0)
        try team.pushAndProcess("dev")
        #expect(try team.state() == "in_review")

        #expect(try team.handoff("rita", ["request-changes", "PAY-1", "-m", "AC-3 needs a run"]).status == 0)
        try team.pushAndProcess("rita")
        #expect(try team.state() == "in_progress")
        #expect(try team.handoff("dev", ["submit", "PAY-1"]).status == 0)
        try team.pushAndProcess("dev")
        #expect(try team.handoff("rita", ["accept", "PAY-1"]).status == 0)
        try team.pushAndProcess("rita")
        #expect(try team.state() == "delivered")
        let board = try team.handoff("ana", ["board"])
        #expect(board.stdout.contains("delivered (1)"))

        // Judging an action locally reads the packet and the packets it depends on, not every status: a claim of
        // a packet that depends on the delivered PAY-1 passes; one that also depends on the ready PAY-2 is refused
        // for PAY-2 alone.
        for (id, dependencies) in [("PAY-2", "[PAY-1]"), ("PAY-3", "[PAY-1, PAY-2]")] {
            for (path, text) in PacketTemplate.example() {
                var content = text.replacingOccurrences(of: "PAY-142", with: id)
                if path.hasSuffix("handoff.yaml") { content += "depends_on: \(dependencies)\n" }
                try team.sandbox.write(content, to: path.replacingOccurrences(of: "PAY-142", with: id), in: team.clone("ana"))
            }
        }
        try team.git("ana", ["add", "-A"])
        try team.git("ana", ["commit", "-q", "-m", "PAY-2 and PAY-3, after PAY-1"])
        try team.pushAndProcess("ana")
        #expect(try team.state("PAY-2") == "ready" && team.state("PAY-3") == "ready")
        let after = try team.handoff("dev", ["claim", "PAY-2", "--dry-run"])
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        let blocked = try team.handoff("dev", ["claim", "PAY-3", "--dry-run"])
        #expect(blocked.status == 1 && blocked.stderr.contains("PAY-2") && !blocked.stderr.contains("PAY-1"), "\(blocked.stderr)")
    }

    @Test("refused actions print one line, exit non-zero, create no commit, and leave index and work tree alone")
    func refusals() throws {
        let team = try Team()
        try team.sandbox.write(
            "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n", to: ".handoff/policy.yaml", in: team.clone("ops"))
        for (path, text) in PacketTemplate.example() { try team.sandbox.write(text, to: path, in: team.clone("ops")) }
        try team.git("ops", ["add", "-A"])
        try team.git("ops", ["commit", "-q", "-m", "policy and packet"])
        try team.pushAndProcess("ops")
        let clone = team.clone("ana")
        try team.sandbox.write("staged\n", to: "staged.txt", in: clone)
        try team.git("ana", ["add", "staged.txt"])
        try team.sandbox.write("unstaged\n", to: "specs/PAY-142/notes.md", in: clone)
        let porcelain = { try team.sandbox.git(["status", "--porcelain"], in: clone) }
        let before = try porcelain()
        let head = try team.sandbox.git(["rev-parse", "HEAD"], in: clone)
        for arguments in [["claim", "PAY-142"], ["accept", "PAY-142"], ["submit", "PAY-142"], ["claim", "NOPE-1"], ["unblock", "PAY-142"]] {
            let result = try team.handoff("ana", arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(try team.sandbox.git(["rev-parse", "HEAD"], in: clone) == head)
            #expect(try porcelain() == before)
        }
        #expect(try team.handoff("ana", ["block", "PAY-142", "--dry-run"]).status == 0)
        #expect(try team.sandbox.git(["rev-parse", "HEAD"], in: clone) == head)
        #expect(try team.handoff("ana", ["block", "PAY-142", "-m", "legal review"]).status == 0)
        #expect(try team.sandbox.git(["rev-parse", "HEAD~1"], in: clone) == head)
        #expect(try porcelain() == before, "an action commit leaves the index and work tree as they were")
    }
}

@Suite("Server hooks", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct HookTests {
    @Test("pre-receive refuses forbidden actions and status edits in the pusher's terminal; a valid push passes and pokes the daemon")
    func hooks() throws {
        let team = try CLIWorkflowTests.Team()
        let socketPath = "\(team.sandbox.root)/notify.sock"
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        defer {
            close(listener)
            unlink(socketPath)
        }
        let bound = UnixSocketAddress(path: socketPath)?.bind(listener)
        #expect(bound == 0)
        let install = try runProcess(CLITests.handoff, ["hook", "install", "--repo", team.bare, "--config", team.config, "--socket", socketPath])
        #expect(install.status == 0, "\(install.stderr)")

        try team.sandbox.write(
            "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n", to: ".handoff/policy.yaml", in: team.clone("ops"))
        for (path, text) in PacketTemplate.example() { try team.sandbox.write(text, to: path, in: team.clone("ops")) }
        try team.git("ops", ["add", "-A"])
        try team.git("ops", ["commit", "-q", "-m", "policy and packet"])
        try team.pushAndProcess("ops")
        var buffer = [UInt8](repeating: 0, count: 64)
        let received = recv(listener, &buffer, buffer.count, 0)
        #expect(received >= 0, "the post-receive hook poked the socket")

        func push(_ person: String) throws -> ProcessResult {
            try runProcess("/usr/bin/git", ["push", "origin", "HEAD:main"], in: team.clone(person), environment: team.sandbox.environment)
        }
        let status = "\(team.clone("dev"))/specs/PAY-142/status.yaml"
        try (try String(contentsOfFile: status, encoding: .utf8)).replacingOccurrences(of: "state: ready", with: "state: delivered")
            .write(toFile: status, atomically: true, encoding: .utf8)
        try team.git("dev", ["commit", "-q", "-am", "I am done"])
        let tampered = try push("dev")
        #expect(tampered.status != 0)
        #expect(tampered.stderr.contains("remote: handoff: refused") && tampered.stderr.contains("tampering"), "\(tampered.stderr)")
        try team.git("dev", ["reset", "-q", "--hard", "origin/main"])

        try team.git("dev", ["commit", "-q", "--allow-empty", "-m", "accept it\n\nHandoff: accept PAY-142"])
        let forbidden = try push("dev")
        #expect(forbidden.status != 0)
        #expect(forbidden.stderr.contains("only a packet in review can be accepted"), "\(forbidden.stderr)")
        try team.git("dev", ["reset", "-q", "--hard", "origin/main"])

        #expect(try team.handoff("dev", ["claim", "PAY-142"]).status == 0)
        let valid = try push("dev")
        #expect(valid.status == 0, "\(valid.stderr)")
        // The poke is sent by a detached process, so the push does not wait for it: it comes moments later.
        var poked = recv(listener, &buffer, buffer.count, 0)
        let deadline = Date().addingTimeInterval(5)
        while poked <= 0, Date() < deadline {
            usleep(10_000)
            poked = recv(listener, &buffer, buffer.count, 0)
        }
        #expect(poked > 0 && String(decoding: buffer.prefix(max(poked, 0)), as: UTF8.self) == "demo")
        // handoffd's own status commit passes its own hook.
        let once = try runProcess(CLITests.handoffd, ["--config", team.config, "--once"])
        #expect(once.status == 0, "\(once.stderr)")
    }
}
