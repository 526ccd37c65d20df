import Foundation

/// Push-to-status latency: the service runs on a demo repository with its hooks; each push is timed,
/// and so is the wait, from the push's return, until a status commit covering it is on the branch.
enum LatencyScenario {
    struct Figures {
        var latencies: [Double]
        var pushes: [Double]
        static func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    static func run(handoff: String, handoffd: String, pushes: Int) throws -> Figures {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-latency-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try BoardScenario.shell([handoff, "demo", folder.path], quiet: true)
        let config = folder.appendingPathComponent("handoffd.yaml").path
        try (try String(contentsOfFile: config, encoding: .utf8) + "poll_interval: 60\n").write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: handoffd)
        daemon.arguments = ["--config", config]
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { daemon.terminate(); daemon.waitUntilExit() }
        let bare = folder.appendingPathComponent("specs.git").path
        let clone = folder.appendingPathComponent("clone").path
        try BoardScenario.shell(["git", "clone", "-q", bare, clone])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.email", "ana@acme.example"])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.name", "Ana"])
        usleep(500_000)  // the first pass
        let clock = ContinuousClock()
        var latencies: [Double] = [], durations: [Double] = []
        for index in 0..<pushes {
            try BoardScenario.shell(["git", "-C", clone, "pull", "-q", "--ff-only", "origin", "main"])
            let action = index % 2 == 0 ? "block" : "unblock"
            try BoardScenario.shell(["git", "-C", clone, "commit", "-q", "--allow-empty", "-m", "push \(index)", "-m", "Handoff: \(action) PAY-142 push \(index)"])
            let pushed = try output(["git", "-C", clone, "rev-parse", "HEAD"])
            let pushStart = clock.now
            try BoardScenario.shell(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"])
            durations.append(milliseconds(clock.now - pushStart))
            // Latency counts from the moment the push has returned to the pusher.
            let start = clock.now
            while true {
                let processed = try output(["git", "--git-dir", bare, "log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "main"])
                if processed == pushed { break }
                guard clock.now - start < .seconds(30) else { throw BenchError("no status commit for push \(index) within 30 s") }
                usleep(2_000)
            }
            latencies.append(milliseconds(clock.now - start))
        }
        return Figures(latencies: latencies, pushes: durations)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }

    static func output(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
