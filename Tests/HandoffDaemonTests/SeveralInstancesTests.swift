import Foundation
import GitTestSupport
import HandoffSystem
import Testing

/// DESIGN.md §8: one repository served by several handoffd instances at once, safely, with no coordination
/// but the compare-and-swap: every action is covered once, no status is published twice, replay agrees.
@Suite("Several instances", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct SeveralInstancesTests {
    /// Writes instance `index`'s configuration: the demo's, with its own state folder and notify socket and
    /// the first instance's key (a shared key; trusted keys let instances with their own keys agree too).
    static func configuration(_ burst: DaemonServiceTests.Burst, instance index: Int) throws -> String {
        let text = try String(contentsOfFile: burst.config, encoding: .utf8)
        let root = burst.sandbox.root
        let key = "  signing_key: \(root)/state/handoffd_ed25519\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("state_directory:") { return "state_directory: \(root)/state-\(index)" }
            if line.hasPrefix("notify_socket:") { return "notify_socket: \(root)/notify-\(index).sock" }
            if line.hasPrefix("  email:") { return line + "\n" + key.dropLast() }
            return String(line)
        }
        let path = "\(root)/handoffd-\(index).yaml"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "two and three instances under a push burst: each action once, one status commit per covered input, replay --check clean",
        arguments: [2, 3])
    func instancesConverge(count: Int) throws {
        let burst = try DaemonServiceTests.Burst(pushes: 24, name: "instances\(count)")
        // The first pass of the demo's own configuration creates the shared key; the others only read it.
        let first = try runProcess(Executables.handoffd, ["--config", burst.config, "--once"], environment: burst.sandbox.environment)
        #expect(first.status == 0, "\(first.stderr)")
        var daemons: [ChildProcess] = []
        for index in 0..<count {
            let config = index == 0 ? burst.config : try Self.configuration(burst, instance: index)
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
