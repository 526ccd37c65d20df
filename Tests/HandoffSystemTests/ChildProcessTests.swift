import Foundation
import HandoffSystem
import Testing

@Suite("Child processes: one posix_spawn home")
struct ChildProcessTests {
    static func scratch() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-system-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("runs to completion with stdin, collects stdout and stderr, reports the exit status")
    func completion() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let done = try ChildProcess.run("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], input: Data("hello".utf8), scratch: folder)
        #expect(done.status == 3)
        #expect(String(decoding: done.stdout, as: UTF8.self) == "hello")
        #expect(String(decoding: done.stderr, as: UTF8.self) == "oops\n")
        #expect(done.maxResidentKiB > 0)
    }

    @Test("a name is looked up on PATH; a folder and an environment are honoured")
    func pathDirectoryEnvironment() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let done = try ChildProcess.run(
            "sh", ["-c", "pwd; echo $GREETING"], in: folder,
            environment: ["PATH": "/usr/bin:/bin", "GREETING": "hi"], scratch: folder)
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(String(decoding: done.stdout, as: UTF8.self) == "\(real)\nhi\n")
    }

    @Test("with a folder, relative stream paths still mean this process's folder: the child changes folder after they are opened")
    func relativeStreamsWithAFolder() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = "handoff-child-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: name) }
        let child = try ChildProcess("/bin/sh", ["-c", "pwd"], in: folder, stdout: name)
        #expect(child.wait() == 0)
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(try String(contentsOfFile: "\(FileManager.default.currentDirectoryPath)/\(name)", encoding: .utf8) == "\(real)\n")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/\(name)"))
    }

    @Test("a missing program is a typed spawn failure")
    func missingProgram() {
        #expect(throws: ChildProcess.SpawnFailed.self) { try ChildProcess("/nonexistent/program", []) }
    }

    @Test("a running child is seen running; killed by a signal it exits 128 + the signal")
    func killed() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning())
        kill(child.pid, SIGTERM)
        #expect(child.wait() == 128 + SIGTERM)
    }

    @Test("a child started from a thread that blocks every signal gets a clean mask")
    func cleanSignalMask() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try blockingAllSignals {
            try ChildProcess.run("/bin/sh", ["-c", "grep '^SigBlk' /proc/self/status"], scratch: folder)
        }
        #expect(String(decoding: result.stdout, as: UTF8.self).split(separator: "\t").last == "0000000000000000\n")
    }

    /// Runs `body` on a new thread whose signal mask blocks everything, as Dispatch's worker threads do.
    func blockingAllSignals<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = OutcomeBox<T>()
        let thread = Thread {
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_SETMASK, &all, nil)
            outcome.set(Result { try body() })
        }
        thread.start()
        return try outcome.wait().get()
    }
}

/// A result handed from a thread to the waiting test.
private final class OutcomeBox<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) {
        self.result = result
        done.signal()
    }

    func wait() -> Result<T, any Error> {
        done.wait()
        return result!
    }
}
