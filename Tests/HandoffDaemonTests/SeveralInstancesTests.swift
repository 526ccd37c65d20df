import Foundation
import GitTestSupport
import HandoffSystem
import Testing

/// DESIGN.md §8: one repository served by several handoffd instances at once, safely, with no coordination
/// but the compare-and-swap: every action is covered once, no status is published twice, replay agrees.
@Suite("Several instances", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct SeveralInstancesTests {
    /// Writes instance `index`'s configuration: the demo's, with its own state folder and notify socket, and
    /// either the first instance's key (shared) or a key of its own (made here, as an operator would).
    static func configuration(_ burst: DaemonServiceTests.Burst, instance index: Int, ownKey: Bool) throws -> String {
        let text = try String(contentsOfFile: burst.config, encoding: .utf8)
        let root = burst.sandbox.root
        let key = "  signing_key: \(root)/state/handoffd_ed25519"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("state_directory:") { return "state_directory: \(root)/state-\(index)" }
            if line.hasPrefix("notify_socket:") { return "notify_socket: \(root)/notify-\(index).sock" }
            if line.hasPrefix("  email:"), !ownKey { return line + "\n" + key }
            return String(line)
        }
        let path = "\(root)/handoffd-\(index).yaml"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        if ownKey {
            let made = try runProcess(Executables.handoffd, ["key", "generate", "--config", path])
            try #require(made.status == 0, "\(made.stderr)")
        }
        return path
    }

    /// Lists every instance's public key under `identity.trusted_keys` in each configuration.
    static func trustEachOther(_ configs: [String]) throws {
        var lines: [String] = []
        for config in configs {
            let shown = try runProcess(Executables.handoffd, ["key", "show", "--config", config])
            try #require(shown.status == 0, "\(shown.stderr)")
            lines.append(shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let trusted = "  trusted_keys: [" + lines.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        for config in configs {
            let text = try String(contentsOfFile: config, encoding: .utf8)
            try text.replacingOccurrences(of: "identity:\n", with: "identity:\n\(trusted)\n").write(toFile: config, atomically: true, encoding: .utf8)
        }
    }

    @Test(
        "two and three instances under a push burst, with one key or each its own: each action once, one status commit per covered input, replay --check clean",
        arguments: [(2, false), (3, false), (3, true)])
    func instancesConverge(count: Int, ownKeys: Bool) throws {
        let burst = try DaemonServiceTests.Burst(pushes: 24, name: "instances\(count)\(ownKeys)")
        // `handoff demo` made the first instance's key; the others name it, or make their own and trust each other.
        let first = try runProcess(Executables.handoffd, ["--config", burst.config, "--once"], environment: burst.sandbox.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let configs = try [burst.config] + (1..<count).map { try Self.configuration(burst, instance: $0, ownKey: ownKeys) }
        if ownKeys { try Self.trustEachOther(configs) }
        var daemons: [ChildProcess] = []
        for index in 0..<count {
            let config = configs[index]
            daemons.append(
                try ChildProcess(
                    Executables.handoffd, ["--config", config], environment: burst.sandbox.environment,
                    stderr: "\(burst.sandbox.root)/instance-\(index).log"))
        }
        #expect(burst.pusher.wait() == 0, "the pusher gave up")
        // Every instance settles on the final tip before they are stopped.
        let settled = eventually(timeout: 60) {
            let message = (try? burst.sandbox.git(["log", "-1", "--format=%B", "main"], in: burst.bare)) ?? ""
            return message.contains("Handoff-Processed:")
        }
        #expect(settled, "no instance covered the last push")
        for daemon in daemons {
            kill(daemon.pid, SIGTERM)
            #expect(daemon.wait() == 0)
        }
        try burst.expectEachActionOnce()
        // One status commit per covered input: no input covered twice, and no status commit covers another.
        let covered = try burst.sandbox.git(
            ["log", "--format=%(trailers:key=Handoff-Processed,valueonly,separator=)", "main"], in: burst.bare
        ).split(separator: "\n").filter { !$0.isEmpty }
        #expect(Set(covered).count == covered.count, "an input was covered by more than one status commit: \(covered)")
        let statusCommits = Set(
            try burst.sandbox.git(["log", "--format=%H", "--grep=^Handoff-Processed:", "main"], in: burst.bare).split(separator: "\n"))
        #expect(covered.allSatisfy { !statusCommits.contains($0) }, "a status commit covers another status commit")
        let replay = try runProcess(Executables.handoff, ["replay", "--config", burst.config, "--check"], environment: burst.sandbox.environment)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }
}
