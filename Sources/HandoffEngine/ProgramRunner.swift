import Foundation

/// Runs a helper program (ssh-keygen) to completion with bytes on stdin, without a run loop or threads.
///
/// posix_spawn with a clean signal mask (Dispatch threads block signals and children inherit the mask),
/// output through temporary files so no pipe can fill, and `waitpid` on the calling thread.
enum ProgramRunner {
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `program`; its stdin, stdout and stderr files live in a ``ScratchFolder`` inside `scratch`.
    ///
    /// `files` are written into that folder first; an argument `{name}` is replaced by the path of file `name`.
    static func run(_ program: String, _ arguments: [String], input: Data = Data(), files: [String: Data] = [:],
                    scratch base: String) throws -> Output {
        let scratch = try ScratchFolder.create(in: base)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let inPath = "\(scratch)/in"
        let outPath = "\(scratch)/out"
        let errPath = "\(scratch)/err"
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: "\(scratch)/file-\(name)")) }
        let arguments = arguments.map { argument in
            files.keys.contains { "{\($0)}" == argument } ? "\(scratch)/file-\(argument.dropFirst().dropLast())" : argument
        }
        try input.write(to: URL(fileURLWithPath: inPath))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environmentStrings: [String] = ["PATH=/usr/bin:/bin", "LC_ALL=C"]
        let environment: [UnsafeMutablePointer<CChar>?] = environmentStrings.map { strdup($0) } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, environment)
        guard spawned == 0 else { throw Failure(description: "cannot run \(program): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: exit, stdout: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(),
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
