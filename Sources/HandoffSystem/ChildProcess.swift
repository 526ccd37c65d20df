public import Foundation

/// A child process started with `posix_spawn`: the one way the product, the tests and the bench start
/// programs (ssh-keygen, git, sshd, handoffd…). Standard streams go to files, so no pipe can fill.
///
/// Not swift-subprocess 1.0.2, though its cost alone would allow it: spawning `/bin/true` 200 times in a
/// release build took 0.95–1.14 ms each through it against 0.61–0.85 ms here (about +0.3 ms, under the
/// 1 ms bound). Its API is async only and every caller here is synchronous (Dispatch workers, the CLI, test
/// helpers, which run on the cooperative pool): bridging with a semaphore deadlocked here as soon as two
/// synchronous callers held the pool's two threads, even with the work pinned to a task executor of its own
/// (its teardown awaits an unstructured `Task`, which needs the global pool).
/// It also reaps its children itself, so `wait4`'s peak memory, which the bench reports, would be lost.
/// Not Foundation's `Process` either: `waitUntilExit()` polls a run loop (34–49 ms per spawn here) and its
/// termination handler needs a free thread. `waitpid` on the calling thread needs nothing.
public struct ChildProcess: Sendable {
    /// The child's process id (signal it with `kill`; reap it with ``wait()``).
    public let pid: pid_t

    /// Why a program could not be started.
    public struct SpawnFailed: Error, Sendable, CustomStringConvertible {
        /// The program.
        public var executable: String
        /// `posix_spawn`'s error number.
        public var code: Int32

        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Starts `executable` (a path, or a name looked up on `PATH`) with `arguments` in `directory`, with
    /// `environment` (nil: this process's). Standard streams go to the given paths (nil: /dev/null);
    /// output files are created or truncated, readable by this user only. With `ownProcessGroup`, the child
    /// leads a process group of its own, so that ``terminateGroup()`` reaches what it starts (git's ssh).
    public init(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
        stdin: String? = nil, stdout: String? = nil, stderr: String? = nil, ownProcessGroup: Bool = false
    ) throws(SpawnFailed) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // The folder changes after the opens above, so that relative stream paths mean what they meant here.
        // Without glibc's addchdir (before 2.29), `env -C` changes it: one more program started per child.
        var viaEnv = false
        if let directory, Self.addChdir?(&actions, directory) != 0 { viaEnv = true }
        let program = viaEnv ? "/usr/bin/env" : executable
        let fullArguments = viaEnv ? ["-C", directory!, executable] + arguments : arguments
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
        if ownProcessGroup { posix_spawnattr_setpgroup(&attributes, 0) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (ownProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))
        var pid: pid_t = 0
        let result =
            program.contains("/")
            ? posix_spawn(&pid, program, &actions, &attributes, argv, env)
            : posix_spawnp(&pid, program, &actions, &attributes, argv, env)
        guard result == 0 else { throw SpawnFailed(executable: executable, code: result) }
        self.pid = pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29 and later), which Swift's Glibc module does not show.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: AddChdir.self)
    }

    /// Waits for the process to exit and returns its exit status (128 + signal when killed).
    public func wait() -> Int32 {
        waitWithUsage().status
    }

    /// Waits for the process and returns its exit status and peak resident memory in KiB (from `wait4`).
    public func waitWithUsage() -> (status: Int32, maxResidentKiB: Int) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        return (Self.exitStatus(status), Int(usage.ru_maxrss))
    }

    /// Sends SIGTERM to the child's process group (started with `ownProcessGroup`) and reaps the child.
    public func terminateGroup() {
        kill(-pid, SIGTERM)
        _ = wait()
    }

    /// The exit status once the process has exited (reaping it), nil while it runs: a poll that, unlike
    /// ``isRunning()``, keeps what the process said.
    public func exitStatusIfExited() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return Self.exitStatus(status) }
        return result == 0 ? nil : -1  // -1: not our child any more (reaped elsewhere)
    }

    /// True while the process has not exited; reaps it when it has.
    public func isRunning() -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    private static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

extension ChildProcess {
    /// What a program run to completion left: its exit status, output and peak memory.
    public struct Completion: Sendable {
        /// Exit status (128 + signal when killed).
        public var status: Int32
        /// Everything written to standard output.
        public var stdout: Data
        /// Everything written to standard error.
        public var stderr: Data
        /// Peak resident memory in KiB.
        public var maxResidentKiB: Int
    }

    /// Runs `executable` to completion with `input` on stdin; its streams pass through files in `scratch`
    /// (an existing folder the caller owns and removes), so no pipe can fill.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String]? = nil, input: Data = Data(), scratch: String
    ) throws -> Completion {
        let inPath = "\(scratch)/in", outPath = "\(scratch)/out", errPath = "\(scratch)/err"
        try input.write(to: URL(fileURLWithPath: inPath))
        let child = try ChildProcess(
            executable, arguments, in: directory, environment: environment,
            stdin: inPath, stdout: outPath, stderr: errPath)
        let (status, peak) = child.waitWithUsage()
        return Completion(status: status, stdout: contents(of: outPath), stderr: contents(of: errPath), maxResidentKiB: peak)
    }

    /// The bytes of the file at `path` (empty when it cannot be read), read with read(2). Not
    /// `Data(contentsOf:)`: in the swift-foundation of Swift 6.3 on Linux each read of an empty file leaked
    /// a 4 KiB buffer (heaptrack), and ssh-keygen's output files are empty on every signature handoffd
    /// makes or checks: about 4 KiB per status commit, without end (issue 16, AC-1).
    static func contents(of path: String) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return Data() }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                data.append(buffer, count: count)
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }
}
