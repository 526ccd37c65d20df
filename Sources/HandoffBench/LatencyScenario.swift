import Foundation
import HandoffSystem

/// B2, push-to-status latency: the service runs on a repository with its hooks installed; each push is
/// timed, and so is the wait, from the push's return, until a status commit covering it is on the branch.
enum LatencyScenario {
    struct Figures {
        var latencies: [Double]
        var pushes: [Double]
        var peakMiB: Double
        static func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    /// Serves `bare` with `configuration` (whose notify socket is `socket`) and pushes `pushes` actions on `packet`.
    static func run(
        handoff: String, handoffd: String, bare: String, configuration: String, socket: String, packet: String,
        folder: String, pushes: Int
    ) throws -> Figures {
        try BoardScenario.shell([handoff, "hook", "install", "--repo", bare, "--config", configuration, "--socket", socket], quiet: true)
        let daemon = try ChildProcess(handoffd, ["--config", configuration])
        defer {
            kill(daemon.pid, SIGTERM)
            _ = daemon.wait()
        }
        let clone = "\(folder)/b2-clone"
        try BoardScenario.shell(["git", "clone", "-q", bare, clone])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.email", "cleo@acme.example"])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.name", "Cleo"])
        usleep(500_000)  // the first pass
        let clock = ContinuousClock()
        var latencies: [Double] = [], durations: [Double] = []
        for index in 0..<pushes {
            try BoardScenario.shell(["git", "-C", clone, "pull", "-q", "--ff-only", "origin", "main"])
            let action = index % 2 == 0 ? "block" : "unblock"
            try BoardScenario.shell([
                "git", "-C", clone, "commit", "-q", "--allow-empty", "-m", "push \(index)", "-m", "Handoff: \(action) \(packet) push \(index)",
            ])
            let pushed = try MeasuredRun.output(["git", "-C", clone, "rev-parse", "HEAD"]).trimmed
            let pushStart = clock.now
            try BoardScenario.shell(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"])
            durations.append(ms(clock.now - pushStart))
            // Latency counts from the moment the push has returned to the pusher.
            let start = clock.now
            while true {
                let processed = try MeasuredRun.output([
                    "git", "--git-dir", bare, "log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "main",
                ]).trimmed
                if processed == pushed { break }
                guard clock.now - start < .seconds(30) else { throw BenchError("no status commit for push \(index) within 30 s") }
                usleep(2_000)
            }
            latencies.append(ms(clock.now - start))
        }
        let peak = MeasuredRun.procStatus(pid: daemon.pid, field: "VmHWM") ?? 0
        return Figures(latencies: latencies, pushes: durations, peakMiB: peak)
    }
}
