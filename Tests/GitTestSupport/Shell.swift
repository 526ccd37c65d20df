public import Foundation

/// Output of a finished process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Errors the test helpers raise, with the command and what it printed.
public struct CommandFailed: Error, CustomStringConvertible {
    public var command: [String]
    public var result: ProcessResult
    public init(command: [String], result: ProcessResult) {
        self.command = command
        self.result = result
    }

    public var description: String {
        "`\(command.joined(separator: " "))` exited \(result.status): \(result.stderr)\(result.stdout)"
    }
}

/// A child process started with `posix_spawn`, owned and reaped by whoever holds it.
///
/// Not Foundation's `Process`: its termination handler needs a free thread, and tests that block the
/// cooperative pool while waiting for it deadlocked. `waitpid` on the calling thread needs nothing.
public struct ChildProcess {
    public let pid: pid_t

    /// Starts `executable` with `arguments`; standard streams go to the given paths (nil: /dev/null).
    public init(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
         stdin: String? = nil, stdout: String? = nil, stderr: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // posix_spawn_file_actions_addchdir_np is not visible from Swift's Glibc: `env -C` changes folder.
        let program = directory == nil ? executable : "/usr/bin/env"
        let fullArguments = directory.map { ["-C", $0, executable] + arguments } ?? arguments
        let argv = ([program] + fullArguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        // Dispatch worker threads block every signal and children inherit the mask: a git-daemon started
        // from one would ignore SIGTERM and never reap its own children. Start each child with a clean slate.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, env)
        guard result == 0 else { throw SpawnFailed(executable: executable, code: result) }
        self.pid = pid
    }

    /// Waits for the process to exit and returns its exit status (128 + signal when killed).
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Waits for the process and returns its exit status and peak resident memory in KiB (from `wait4`).
    public func waitWithUsage() -> (status: Int32, maxResidentKiB: Int) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, Int(usage.ru_maxrss))
    }

    /// True while the process has not exited; reaps it when it has.
    public func isRunning() -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    public struct SpawnFailed: Error, CustomStringConvertible {
        public var executable: String
        public var code: Int32
        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }
}

/// Runs a program to completion; its output is collected through temporary files, so no pipe can fill up.
@discardableResult
public func runProcess(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String]? = nil, input: Data? = nil
) throws -> ProcessResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inPath = scratch.appendingPathComponent("in").path
    let outPath = scratch.appendingPathComponent("out").path
    let errPath = scratch.appendingPathComponent("err").path
    try (input ?? Data()).write(to: URL(fileURLWithPath: inPath))
    let child = try ChildProcess(executable, arguments, in: directory, environment: environment,
                                 stdin: inPath, stdout: outPath, stderr: errPath)
    let status = child.wait()
    return ProcessResult(status: status,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
