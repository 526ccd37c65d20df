import Foundation
import HandoffEngine
import HandoffSystem

/// B7, idle: one `handoffd` serving 20 repositories, with or without its HTTP server (`http.listen`), measured (`VmRSS`, `VmHWM`) once every repository
/// has its first status commit and the service has settled.
enum IdleMemoryScenario {
    struct Figures {
        var idleMiB: Double
        /// The part of `idleMiB` that is the process's own heap and stacks; the rest is mapped code and data
        /// of the binary and its libraries (Swift runtime, Foundation, ICU, libgit2), shared between processes.
        var anonymousMiB: Double
        var peakMiB: Double
        var repositories: Int
    }

    /// With `http`, handoffd's HTTP server listens on 127.0.0.1 (a free port) and holds every repository's snapshot.
    static func run(handoffd: String, folder: String, repositories: Int, http: Bool = true) throws -> Figures {
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
        let deadline = Date().addingTimeInterval(60)
        for index in 0..<repositories {
            while try !published("\(folder)/idle-\(index).git") {
                guard Date() < deadline else { throw BenchError("B7: repository \(index) got no status within 60 s") }
                usleep(50_000)
            }
        }
        sleep(3)  // idle: a poll or so of every repository after the first pass
        guard let idle = MeasuredRun.procStatus(pid: daemon.pid, field: "VmRSS"),
            let peak = MeasuredRun.procStatus(pid: daemon.pid, field: "VmHWM"),
            let anonymous = MeasuredRun.procStatus(pid: daemon.pid, field: "RssAnon")
        else {
            throw BenchError("B7: cannot read /proc/\(daemon.pid)/status")
        }
        return Figures(idleMiB: idle, anonymousMiB: anonymous, peakMiB: peak, repositories: repositories)
    }

    static func published(_ repository: String) throws -> Bool {
        !(try MeasuredRun.output(["git", "--git-dir", repository, "log", "-1", "--format=%(trailers:key=Handoff-Processed,valueonly)", "main"])
            .trimmed.isEmpty)
    }
}
