import Foundation
import HandoffEngine
import HandoffSystem

/// B7, idle: one `handoffd` serving 100 repositories polled every 2 s (issue 16, AC-2), with or without its HTTP
/// server (`http.listen`, issue 17), measured once every repository has its first status commit and the service
/// has settled: memory (`VmRSS`, `RssAnon`, `VmHWM`) at the end of a window, and the CPU it used in that window
/// (`utime` + `stime` of /proc/PID/stat, its reaped children's too, so a `git` started by an idle poll counts).
enum IdleMemoryScenario {
    struct Figures {
        var idleMiB: Double
        /// The part of `idleMiB` that is the process's own heap and stacks; the rest is mapped code and data
        /// of the binary and its libraries (Swift runtime, Foundation, ICU, libgit2), shared between processes.
        var anonymousMiB: Double
        var peakMiB: Double
        var repositories: Int
        /// Percent of one core over the window, handoffd and its children together.
        var cpuPercent: Double
        var windowSeconds: Double
    }

    /// With `http`, handoffd's HTTP server listens on 127.0.0.1 (a free port) and holds every repository's snapshot.
    static func run(handoffd: String, folder: String, repositories: Int, window: Double, http: Bool = true) throws -> Figures {
        let folder = "\(folder)/idle-\(http ? "http" : "plain")"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var entries = ""
        for index in 0..<repositories {
            let path = "\(folder)/idle-\(index).git"
            try DemoRepository.create(at: path)
            entries += "  - { name: r\(index), path: \(path), operators: [ops@acme.example] }\n"
        }
        let configuration = "\(folder)/idle.yaml"
        try Data(
            ("identity: { email: handoffd@acme.example }\nstate_directory: \(folder)/state-idle\npoll_interval: 2\n"
                + (http ? "http: { listen: \"127.0.0.1:0\" }\n" : "") + "repositories:\n\(entries)").utf8
        ).write(to: URL(fileURLWithPath: configuration))
        try BoardScenario.shell([handoffd, "key", "generate", "--config", configuration])
        let daemon = try ChildProcess(handoffd, ["--config", configuration])
        defer {
            kill(daemon.pid, SIGTERM)
            _ = daemon.wait()
        }
        let deadline = Date().addingTimeInterval(300)
        for index in 0..<repositories {
            while try !published("\(folder)/idle-\(index).git") {
                guard Date() < deadline else { throw BenchError("B7: repository \(index) got no status within 300 s") }
                usleep(50_000)
            }
        }
        // Idle: the pass after the first one checks handoffd's own commit once (its verdict is kept); from the
        // third on, a poll compares the tip with what it saw and stops. Three poll intervals, then the window.
        sleep(6)
        guard let before = cpuTicks(pid: daemon.pid) else { throw BenchError("B7: cannot read /proc/\(daemon.pid)/stat") }
        let clock = ContinuousClock(), start = clock.now
        usleep(useconds_t(window * 1e6))
        guard let after = cpuTicks(pid: daemon.pid) else { throw BenchError("B7: cannot read /proc/\(daemon.pid)/stat") }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpuPercent = Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / seconds * 100
        guard let idle = MeasuredRun.procStatus(pid: daemon.pid, field: "VmRSS"),
            let peak = MeasuredRun.procStatus(pid: daemon.pid, field: "VmHWM"),
            let anonymous = MeasuredRun.procStatus(pid: daemon.pid, field: "RssAnon")
        else {
            throw BenchError("B7: cannot read /proc/\(daemon.pid)/status")
        }
        return Figures(
            idleMiB: idle, anonymousMiB: anonymous, peakMiB: peak, repositories: repositories, cpuPercent: cpuPercent, windowSeconds: seconds)
    }

    /// CPU clock ticks used by `pid` and its reaped children (fields 14–17 of /proc/PID/stat).
    static func cpuTicks(pid: pid_t) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        // After the command name (which may hold spaces) field 3 comes first: utime is field 14, index 11.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { return nil }
        return fields[11...14].compactMap { Int($0) }.reduce(0, +)
    }

    static func published(_ repository: String) throws -> Bool {
        !(try MeasuredRun.output(["git", "--git-dir", repository, "log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "main"])
            .trimmed.isEmpty)
    }
}
