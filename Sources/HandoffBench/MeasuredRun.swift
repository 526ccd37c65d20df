import Foundation

/// A child process timed from spawn to exit, with its peak resident memory (from `wait4`'s rusage).
struct MeasuredRun {
    var milliseconds: Double
    var peakMiB: Double
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `arguments` (the first is an absolute path or a name on PATH) with `input` (a file) on stdin.
    /// posix_spawn, not Foundation's Process, whose start-up on Linux costs milliseconds that would
    /// inflate every git baseline. Output goes through files, so no pipe can fill.
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
                    captureOutput: Bool = false) throws -> MeasuredRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-run-\(UUID().uuidString)")
        let errors = scratch.appendingPathExtension("err"), output = scratch.appendingPathExtension("out")
        defer {
            try? FileManager.default.removeItem(at: errors)
            try? FileManager.default.removeItem(at: output)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, captureOutput ? output.path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let clock = ContinuousClock()
        let start = clock.now
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, &envp)
        guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = clock.now - start
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return MeasuredRun(milliseconds: Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15,
                           peakMiB: Double(usage.ru_maxrss) / 1024, status: exit,
                           stdout: captureOutput ? (try? String(contentsOf: output, encoding: .utf8)) ?? "" : "",
                           stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// Runs `arguments`, failing unless it exits 0; returns its standard output. `input` is text for stdin.
    @discardableResult
    static func output(_ arguments: [String], input text: String? = nil) throws -> String {
        var inputFile: String?
        if let text {
            inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-in-\(UUID().uuidString)").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: inputFile!))
        }
        defer { if let inputFile { try? FileManager.default.removeItem(atPath: inputFile) } }
        let result = try run(arguments, input: inputFile, captureOutput: true)
        guard result.status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    /// This process's own peak resident memory so far, in MiB (`VmHWM`).
    static var selfPeakMiB: Double { procStatus(pid: getpid(), field: "VmHWM") ?? 0 }

    /// A `/proc/PID/status` memory field (`VmRSS`, `VmHWM`) in MiB.
    static func procStatus(pid: pid_t, field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kib = line.split(separator: " ").compactMap({ Double($0) }).first else { return nil }
        return kib / 1024
    }
}
