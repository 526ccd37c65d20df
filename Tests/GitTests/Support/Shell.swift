import Foundation

/// Output of a finished process.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Errors the test helpers raise, with the command and what it printed.
struct CommandFailed: Error, CustomStringConvertible {
    var command: [String]
    var result: ProcessResult
    var description: String {
        "`\(command.joined(separator: " "))` exited \(result.status): \(result.stderr)\(result.stdout)"
    }
}

/// Runs a program and waits for it; stdout and stderr are read concurrently so neither pipe can fill up.
///
/// `terminationHandler` plus a semaphore, not `waitUntilExit`, which polls a run loop for tens of milliseconds.
@discardableResult
func runProcess(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String]? = nil, input: Data? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    if let input {
        inPipe.fileHandleForWriting.write(input)
        try inPipe.fileHandleForWriting.close()
    }
    let errorBox = OutputBox()
    let readErr = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorBox.data = err.fileHandleForReading.readDataToEndOfFile()
        readErr.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    readErr.wait()
    done.wait()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errorBox.data, as: UTF8.self))
}

/// Holds bytes written by one thread and read by another after a semaphore orders them.
final class OutputBox: @unchecked Sendable {
    // Written once before `signal()`, read once after `wait()`: the semaphore orders the accesses.
    var data = Data()
}
