import Foundation
import HandoffSystem

/// A child process timed from spawn to exit, with its peak resident memory (from `wait4`'s rusage).
struct MeasuredRun {
    var milliseconds: Double
    var peakMiB: Double
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `arguments` (the first is an absolute path or a name on PATH) with `input` (a file) on stdin.
    /// Through ``ChildProcess`` (posix_spawn), not Foundation's Process, whose start-up on Linux costs
    /// milliseconds that would inflate every git baseline. Output goes through files, so no pipe can fill.
    static func run(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
        captureOutput: Bool = false
    ) throws -> MeasuredRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-run-\(UUID().uuidString)")
        let errors = scratch.appendingPathExtension("err"), output = scratch.appendingPathExtension("out")
        defer {
            try? FileManager.default.removeItem(at: errors)
            try? FileManager.default.removeItem(at: output)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let child: ChildProcess
        do {
            child = try ChildProcess(
                arguments[0], Array(arguments.dropFirst()), environment: environment, stdin: input,
                stdout: captureOutput ? output.path : nil, stderr: errors.path)
        } catch {
            throw BenchError(error.description)
        }
        let (exit, peakKiB) = child.waitWithUsage()
        let elapsed = clock.now - start
        return MeasuredRun(
            milliseconds: Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15,
            peakMiB: Double(peakKiB) / 1024, status: exit,
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
            let kib = line.split(separator: " ").compactMap({ Double($0) }).first
        else { return nil }
        return kib / 1024
    }
}
