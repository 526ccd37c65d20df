import Foundation
import HandoffCore
import HandoffEngine
import HandoffSystem
import Synchronization

/// #15 AC-1: several participants acting at once with `handoff <action> ID --push --wait`, each in their own
/// clone of a repository served by `handoffd` (status on `handoff/status`, hooks installed). Every clone
/// cycles claim, block, unblock, unclaim on its own packet; no clone ever pulls. Counted: actions that
/// succeeded, and push attempts per action (each attempt after the first means the remote moved under it).
enum ActionRaceScenario {
    struct Figures {
        var actions: Int
        var succeeded: Int
        var attempts: [Int]
        var milliseconds: [Double]
        var failures: [String]
    }

    static let cycle = ["claim", "block", "unblock", "unclaim"]

    /// With `statusBranch` false, handoffd publishes on `main` itself, racing every push (the baseline).
    static func run(handoff: String, handoffd: String, folder: String, clones: Int, actionsEach: Int, statusBranch: Bool) throws -> Figures {
        let root = "\(folder)/race-\(statusBranch ? "status-branch" : "main")"
        let published = statusBranch ? EngineSettings.defaultStatusBranch : "main"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let bare = "\(root)/specs.git"
        try DemoRepository.create(at: bare)
        let config = "\(root)/handoffd.yaml"
        let socket = "\(root)/notify.sock"
        try Data(
            (DemoRepository.configuration(
                repository: bare, stateDirectory: "\(root)/state", notifySocket: socket,
                statusBranch: statusBranch ? published : nil) + "poll_interval: 1\n").utf8
        ).write(to: URL(fileURLWithPath: config))
        try BoardScenario.shell([handoffd, "key", "generate", "--config", config])
        try BoardScenario.shell([handoff, "hook", "install", "--repo", bare, "--config", config, "--socket", socket])
        // One ready packet per participant: copies of the demo's ready PAY-142, pushed by its client.
        let setup = "\(root)/setup"
        try BoardScenario.shell(["git", "clone", "-q", bare, setup])
        for index in 0..<clones {
            let id = "PAY-\(200 + index)"
            try BoardScenario.shell(["cp", "-r", "\(setup)/specs/PAY-142", "\(setup)/specs/\(id)"])
            let manifest = "\(setup)/specs/\(id)/handoff.yaml"
            try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "PAY-142", with: id)
                .write(toFile: manifest, atomically: true, encoding: .utf8)
        }
        try BoardScenario.shell(["git", "-C", setup, "add", "-A"])
        try BoardScenario.shell([
            "git", "-C", setup, "-c", "user.email=ana@acme.example", "-c", "user.name=Ana", "commit", "-q", "-m", "More packets",
        ])
        try BoardScenario.shell(["git", "-C", setup, "push", "-q", "origin", "HEAD:main"])
        let daemon = try ChildProcess(handoffd, ["--config", config], stderr: "\(root)/handoffd.log")
        defer {
            kill(daemon.pid, SIGTERM)
            _ = daemon.wait()
        }
        // Everyone starts once handoffd has published the packets as ready.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let board = try? MeasuredRun.run(
                ["git", "-C", bare, "show", "\(published):specs/PAY-\(200 + clones - 1)/status.yaml"], captureOutput: true)
            if let text = board?.stdout, (try? StatusFile.parse(text))?.state == .ready { break }
            usleep(100_000)
        }
        var people: [String] = []
        for index in 0..<clones {
            let clone = "\(root)/dev\(index)"
            try BoardScenario.shell(["git", "clone", "-q", bare, clone])
            try BoardScenario.shell(["git", "-C", clone, "config", "user.email", "dev\(index)@contractors.example"])
            try BoardScenario.shell(["git", "-C", clone, "config", "user.name", "Dev \(index)"])
            people.append(clone)
        }
        let results = Mutex<[(attempts: Int, milliseconds: Double, failure: String?)]>([])
        let done = DispatchGroup()
        for (index, clone) in people.enumerated() {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                let clock = ContinuousClock()
                for step in 0..<actionsEach {
                    let action = cycle[step % cycle.count]
                    let start = clock.now
                    let outcome = act(handoff, action, packet: "PAY-\(200 + index)", in: clone)
                    let elapsed = clock.now - start
                    let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
                    results.withLock { $0.append((outcome.attempts, milliseconds, outcome.failure)) }
                }
            }
            thread.start()
        }
        done.wait()
        let all = results.withLock { $0 }
        return Figures(
            actions: all.count, succeeded: all.filter { $0.failure == nil }.count, attempts: all.map(\.attempts),
            milliseconds: all.map(\.milliseconds), failures: all.compactMap(\.failure))
    }

    /// One action with `--push --wait`: how many pushes it took (from its own report), or why it failed.
    static func act(_ handoff: String, _ action: String, packet: String, in clone: String) -> (attempts: Int, failure: String?) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-race-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let ran = try ChildProcess.run(handoff, [action, packet, "--push", "--wait=60"], in: clone, scratch: scratch)
            let output = String(decoding: ran.stdout, as: UTF8.self)
            let attempts = output.components(separatedBy: " after ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 1
            guard ran.status == 0 else {
                return (attempts, "\(action) \(packet): exit \(ran.status): \(String(decoding: ran.stderr, as: UTF8.self))")
            }
            return (attempts, nil)
        } catch {
            return (0, "\(action) \(packet): \(error)")
        }
    }
}
