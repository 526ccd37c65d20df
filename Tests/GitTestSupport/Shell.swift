public import Foundation
import HandoffSystem

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

/// Runs a program to completion; its output is collected through temporary files, so no pipe can fill up.
@discardableResult
public func runProcess(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String]? = nil, input: Data? = nil
) throws -> ProcessResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let done = try ChildProcess.run(
        executable, arguments, in: directory, environment: environment, input: input ?? Data(),
        scratch: scratch.path)
    return ProcessResult(
        status: done.status, stdout: String(decoding: done.stdout, as: UTF8.self),
        stderr: String(decoding: done.stderr, as: UTF8.self))
}
