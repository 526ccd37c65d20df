import Foundation
import GitTestSupport
import HandoffCore
import Testing

/// The built executables, next to the test bundle.
enum Built {
    static let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    static let handoff = "\(folder)/handoff"
    static let handoffd = "\(folder)/handoffd"
}

/// What a torture run is asked to do: `make torture [QUICK=1] [SEED=n] [ONLY=kinds] [KEEP=1]`.
struct TortureSettings {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["HANDOFF_TORTURE"] != nil
    static let quick = environment["HANDOFF_TORTURE"] == "quick"
    static let seed = UInt64(environment["HANDOFF_TORTURE_SEED"] ?? "") ?? 20_261_202
    static let only: Set<String>? = environment["HANDOFF_TORTURE_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
    static let keep = environment["HANDOFF_TORTURE_KEEP"] != nil
    static let batches = quick ? 4 : 80
    static let commitsPerBatch = quick ? 6 : 10
}

/// Issue 11, item 10: the pre-receive hook and handoffd fed seeded random commits mixing actions, spec and
/// delivery edits, merges, forged trailers, tampering and hostile packets; after every batch handoffd must
/// finish, publish nothing more on a second pass, agree with replay, and leave git sound.
@Suite(
    "Torture", .enabled(if: TortureSettings.enabled, "set HANDOFF_TORTURE=quick or full (make torture [QUICK=1]) to run the torture suite"),
    .enabled(if: FileManager.default.isExecutableFile(atPath: Built.handoffd), "run `swift build` first"))
struct TortureTests {
    static let kinds = ["actions", "specs", "packets", "delivery", "policy", "tamper", "forged", "merges", "hostile"]
    static let people = [
        "ops@acme.example", "ana@acme.example", "bo@acme.example", "rita@acme.example", "dev@contractors.example",
        "eve@contractors.example", "mallory@elsewhere.example", "handoffd@acme.example",
    ]
    static let actions = ["claim", "unclaim", "submit", "accept", "request-changes", "cancel", "reopen", "block", "unblock"]
    static let notes = ["", "starting today", "see \u{1B}[2Jthe notes", "AC-2 needs work", "ünïcödé \u{202E}txt.exe", "x|y <!-- z -->"]

    final class Run {
        let sandbox: Sandbox
        let bare: String
        let config: String
        let work: String
        var random: SeededGenerator
        var packets = ["PAY-142"]
        var commits = 0
        var invariants = 0
        var refused = 0
        var step = 0

        init(seed: UInt64) throws {
            sandbox = try Sandbox("torture")
            try sandbox.handoffdKey()
            random = SeededGenerator(state: seed)
            bare = "\(sandbox.root)/specs.git"
            config = "\(sandbox.root)/handoffd.yaml"
            work = "\(sandbox.root)/work"
            try sandbox.git(["init", "-q", "--bare", "-b", "main", bare], in: sandbox.root)
            let text =
                "identity:\n  name: handoffd\n  email: handoffd@acme.example\nstate_directory: \(sandbox.root)/state\n"
                + "repositories:\n  - name: specs\n    path: \(bare)\n    branch: main\n    operators: [ops@acme.example]\n"
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            // Where keys are made on purpose only, make one; elsewhere this is refused and the first run makes it.
            _ = try? runProcess(Built.handoffd, ["key", "generate", "--config", config])
            try sandbox.git(["clone", "-q", bare, "work"], in: sandbox.root)
            try sandbox.write(
                "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n  reviewer: [rita@acme.example]\n",
                to: ".handoff/policy.yaml", in: work)
            for (path, text) in PacketTemplate.example() { try sandbox.write(text, to: path, in: work) }
            try commit("ops@acme.example", "Policy and PAY-142", all: true)
            try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: work)
            let once = try runProcess(Built.handoffd, ["--config", config, "--once"])
            try #require(once.status == 0, "\(once.stderr)")
            let install = try runProcess(Built.handoff, ["hook", "install", "--repo", bare, "--config", config])
            try #require(install.status == 0, "\(install.stderr)")
        }

        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

        func commit(_ who: String, _ message: String, all: Bool = false) throws {
            if all { try sandbox.git(["add", "-A"], in: work) }
            step += 1
            // One commit in eight has a skewed clock, up to 30 days either way: git walks that hide covered
            // history stop by date, and status must not depend on it.
            let skew = chance(12) ? Int(random.next() % 86_400) * 60 - 43_200 * 60 : 0
            let date = "\(1_793_527_200 + step * 60 + skew) +0000"
            try sandbox.git(
                ["commit", "-q", "--allow-empty", "-m", message], in: work,
                env: ["GIT_AUTHOR_EMAIL": who, "GIT_COMMITTER_EMAIL": who, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
            commits += 1
        }

        /// One random change of `kind`, committed in the work clone.
        func change(_ kind: String) throws {
            let packet = pick(packets + ["NOPE-1"])
            let folder = "specs/\(packet)"
            switch kind {
            case "actions":
                try commit(pick(people), "act\n\nHandoff: \(pick(actions)) \(packet) \(pick(notes))".trimmingCharacters(in: .whitespaces))
            case "specs":
                let file = pick(["context.md", "acceptance.md", "handoff.yaml"])
                let path = "\(work)/\(folder)/\(file)"
                guard var text = try? String(contentsOfFile: path, encoding: .utf8) else { return try change("actions") }
                switch file {
                case "acceptance.md": text += "- [ ] AC-\(4 + random.next() % 5): When a refund of 1.00 EUR is posted, then the response is 201.\n"
                case "context.md": text += chance(30) ? "\nOwner: TBD\n" : "\nNoted on step \(step).\n"
                default: text = text.replacingOccurrences(of: "title: ", with: "title: \(pick(["Re", "\u{1B}[1m", "Again "]))")
                }
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                try commit(pick(people), "Edit \(file) of \(packet)", all: true)
            case "packets":
                let id = "P-\(packets.count)"
                for (path, text) in PacketTemplate.example() {
                    try sandbox.write(
                        text.replacingOccurrences(of: "PAY-142", with: id), to: path.replacingOccurrences(of: "PAY-142", with: id), in: work)
                }
                packets.append(id)
                try commit(pick(["ana@acme.example", "bo@acme.example", "dev@contractors.example"]), "Add \(id)", all: true)
            case "delivery":
                let acceptance = (try? String(contentsOfFile: "\(work)/\(folder)/acceptance.md", encoding: .utf8)) ?? ""
                let ids = acceptance.split(separator: "\n").compactMap { line in
                    line.split(separator: " ").first { $0.hasPrefix("AC-") && $0.hasSuffix(":") }.map { $0.dropLast() }
                }
                let evidence = pick(["contracts/openapi.yaml", ".", "/README.md", "https://ci.acme.example/run/1", "deadbeef"])
                try sandbox.write(ids.map { "- \($0): \(evidence)\n" }.joined(), to: "\(folder)/delivery/DELIVERY.md", in: work)
                try commit(
                    pick(["dev@contractors.example", "eve@contractors.example", "ana@acme.example"]),
                    "Deliver \(packet)" + (chance(50) ? "\n\nHandoff: submit \(packet)" : ""), all: true)
            case "policy":
                let requireReady = chance(30) ? "require_ready: true\n" : ""
                try sandbox.write(
                    "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n  reviewer: [rita@acme.example\(chance(30) ? ", dev@contractors.example" : "")]\n"
                        + requireReady, to: ".handoff/policy.yaml", in: work)
                try commit(pick(["ops@acme.example", "ana@acme.example", "dev@contractors.example"]), "Policy", all: true)
            case "tamper":
                let target = chance(50) ? ".handoff/board.md" : "\(folder)/status.yaml"
                let path = "\(work)/\(target)"
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                try sandbox.write(text.replacingOccurrences(of: "state: ", with: "state: delivered\nx: ") + "\n# edited\n", to: target, in: work)
                try commit(pick(people), "Tidy \(target)", all: true)
            case "forged":
                let fake = (0..<5).map { _ in String(format: "%08x", UInt32(truncatingIfNeeded: random.next())) }.joined()
                try commit(
                    pick(["handoffd@acme.example", "mallory@elsewhere.example"]),
                    "handoff: status\n\nHandoff: \(pick(actions)) \(packet)\nHandoff-Processed: \(fake)")
            case "merges":
                let side = "side-\(step)"
                try sandbox.git(["checkout", "-q", "-b", side], in: work)
                for _ in 0..<(1 + random.next() % 3) { try change(pick(["actions", "specs", "actions"])) }
                try sandbox.git(["checkout", "-q", "-"], in: work)
                if chance(50) { try change("actions") }
                let who = pick(people)
                try sandbox.git(
                    ["merge", "-q", "--no-ff", "--no-edit", "-m", "Merge \(side)", side], in: work,
                    env: ["GIT_AUTHOR_EMAIL": who, "GIT_COMMITTER_EMAIL": who])
                commits += 1
            default:  // hostile
                let id = "H-\(step)"
                for (path, text) in PacketTemplate.example() {
                    try sandbox.write(
                        text.replacingOccurrences(of: "PAY-142", with: id), to: path.replacingOccurrences(of: "PAY-142", with: id), in: work)
                }
                var bomb = "title: it 'works\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                for level in 1...9 {
                    bomb +=
                        "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n"
                }
                let (file, text) = pick([
                    ("handoff.yaml", bomb), ("contracts/deep.json", "{\"a\": " + String(repeating: "[", count: 10_000)),
                    ("contracts/deep.yaml", String(repeating: "- ", count: 10_000) + "x\n"),
                    ("acceptance.md", (1...3_000).map { "- [ ] AC-\($0): it is fast.\n" }.joined()),
                ])
                try sandbox.write(text, to: "specs/\(id)/\(file)", in: work)
                packets.append(id)
                try commit("ana@acme.example", "Add \(id)", all: true)
            }
        }

        /// Pushes what the work clone holds; a refusal by the hook drops it (the clone goes back to the branch).
        func push() throws {
            let result = try runProcess("/usr/bin/git", ["push", "-q", "origin", "HEAD:main"], in: work, environment: sandbox.environment)
            if result.status != 0 {
                refused += 1
                try sandbox.git(["reset", "-q", "--hard", "origin/main"], in: work)
            }
        }

        /// One batch: with the hook (pushing commit by commit) or without it (a repository served by URL).
        func batch(_ index: Int, kinds: [String]) throws {
            let hooked = chance(60)
            if hooked {
                _ = try? sandbox.git(["config", "--unset", "core.hooksPath"], in: bare)
            } else {
                try sandbox.git(["config", "core.hooksPath", "\(sandbox.root)/no-hooks"], in: bare)
            }
            try sandbox.git(["fetch", "-q", "origin"], in: work)
            try sandbox.git(["reset", "-q", "--hard", "origin/main"], in: work)
            for _ in 0..<TortureSettings.commitsPerBatch {
                try change(pick(kinds))
                if hooked { try push() }
            }
            if !hooked { try push() }
            try check(index)
        }

        /// The invariants after a batch.
        func check(_ index: Int) throws {
            let context = "seed \(TortureSettings.seed), batch \(index)"
            let once = try runProcess(Built.handoffd, ["--config", config, "--once"])
            #expect(once.status == 0, "\(context): handoffd --once exited \(once.status): \(once.stderr.suffix(2_000))")
            let tip = try sandbox.git(["rev-parse", "main"], in: bare)
            let again = try runProcess(Built.handoffd, ["--config", config, "--once"])
            let after = try sandbox.git(["rev-parse", "main"], in: bare)
            #expect(again.status == 0 && after == tip, "\(context): a second pass published again")
            let replay = try runProcess(Built.handoff, ["replay", "--config", config, "--check"])
            #expect(replay.status == 0, "\(context): replay --check: \(replay.stdout.suffix(2_000))\(replay.stderr.suffix(1_000))")
            let fsck = try runProcess("/usr/bin/git", ["fsck", "--strict", "--no-dangling"], in: bare, environment: sandbox.environment)
            #expect(fsck.status == 0, "\(context): fsck: \(fsck.stderr.suffix(1_000))")
            let sizes = try sandbox.git(["ls-tree", "-r", "-l", "main", "specs"], in: bare).split(separator: "\n")
                .filter { $0.hasSuffix("/status.yaml") }.compactMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[3]) }
            #expect(sizes.allSatisfy { $0 < 1 << 20 }, "\(context): a status file over 1 MiB")
            try sandbox.git(["fetch", "-q", "origin"], in: work)
            try sandbox.git(["reset", "-q", "--hard", "origin/main"], in: work)
            let board = try runProcess(Built.handoff, ["board"], in: work, environment: sandbox.environment)
            #expect(board.status == 0 && !board.stdout.unicodeScalars.contains { $0.value == 0x1B }, "\(context): board")
            invariants += 6
        }
    }

    @Test("seeded random commits through the hook and handoffd: after each batch handoffd finishes, is idempotent, agrees with replay, git is sound")
    func randomHistory() throws {
        let kinds = Self.kinds.filter { TortureSettings.only?.contains($0) ?? true }
        try #require(!kinds.isEmpty, "ONLY names none of \(Self.kinds.joined(separator: ","))")
        let run = try Run(seed: TortureSettings.seed)
        for index in 0..<TortureSettings.batches { try run.batch(index, kinds: kinds) }
        print(
            "torture: seed \(TortureSettings.seed), \(TortureSettings.batches) batches, \(run.commits) commits (\(run.refused) push(es) refused by the hook), "
                + "\(run.packets.count) packets, \(run.invariants) invariants checked")
        if TortureSettings.keep {
            let kept = "/tmp/handoff-torture-\(TortureSettings.seed)"
            try? FileManager.default.removeItem(atPath: kept)
            try FileManager.default.copyItem(atPath: run.sandbox.root, toPath: kept)
            print("torture: kept the repositories in \(kept)")
        }
    }
}
