import Foundation
import HandoffSystem

/// Runs a helper program (ssh-keygen) to completion with bytes on stdin, without a run loop or threads,
/// through ``ChildProcess`` (clean signal mask, streams through files, `waitpid` on the calling thread).
enum ProgramRunner {
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Runs `program`; its stdin, stdout and stderr files live in a ``ScratchFolder`` inside `scratch`.
    ///
    /// `files` are written into that folder first; an argument `{name}` is replaced by the path of file `name`.
    ///
    /// The child sees only `PATH` and `LC_ALL=C`, plus `environment` (e.g. `SSH_AUTH_SOCK` to sign with an agent's key).
    static func run(
        _ program: String, _ arguments: [String], input: Data = Data(), files: [String: Data] = [:],
        environment: [String: String] = [:], scratch base: String
    ) throws -> Output {
        let scratch = try ScratchFolder.create(in: base)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: "\(scratch)/file-\(name)")) }
        let arguments = arguments.map { argument in
            files.keys.contains { "{\($0)}" == argument } ? "\(scratch)/file-\(argument.dropFirst().dropLast())" : argument
        }
        let done = try ChildProcess.run(
            program, arguments, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"].merging(environment) { _, given in given },
            input: input,
            scratch: scratch)
        return Output(status: done.status, stdout: done.stdout, stderr: String(decoding: done.stderr, as: UTF8.self))
    }
}
