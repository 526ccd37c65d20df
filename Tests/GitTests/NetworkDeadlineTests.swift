import Foundation
import GitTestSupport
import Testing

@testable import Git

/// Issue 16, item 2: a remote that connects and never answers, or never connects, fails within its
/// deadline, over git:// (Handoff's stream reads) and ssh (libssh2 reads the socket itself), and a stop
/// cancels what is in flight. The bounds are generous: they prove the call returns, not how fast.
@Suite("Network deadlines")
struct NetworkDeadlineTests {
    static let short = NetworkDeadlines(connect: .seconds(2), inactivity: .milliseconds(500))

    struct Fixture {
        let sandbox: Sandbox
        let mirror: Repository
        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            mirror = try Repository.initBare(at: "\(sandbox.root)/mirror.git")
        }
    }

    /// Runs `body`, which must throw a ``GitError`` of `code` within `bound` seconds.
    static func expectFailure(_ code: GitError.Code, within bound: Double, _ body: () throws -> Void) throws -> GitError {
        let start = Date()
        var caught: GitError?
        do { try body() } catch let error as GitError { caught = error } catch let error as PushError {
            if case .failed(let inner) = error { caught = inner }
        }
        let elapsed = Date().timeIntervalSince(start)
        let error = try #require(caught, "the operation did not fail")
        #expect(error.code == code, "\(error)")
        #expect(elapsed < bound, "took \(elapsed) s")
        return error
    }

    @Test("a git:// server that accepts and never answers: list, fetch and push time out")
    func silentGitServer() throws {
        let fixture = try Fixture()
        let server = try SilentServer(.acceptsAndHolds, scratch: fixture.sandbox.root)
        let options = RemoteOptions(deadlines: Self.short)
        let listed = try Self.expectFailure(.timedOut, within: 10) {
            _ = try fixture.mirror.remoteReferences(at: server.gitURL, options: options)
        }
        #expect(listed.message.contains("sent nothing for 500 ms"), "\(listed)")
        _ = try Self.expectFailure(.timedOut, within: 10) {
            try fixture.mirror.fetch(from: server.gitURL, refspecs: ["+refs/heads/main:refs/heads/main"], options: options)
        }
        _ = try Self.expectFailure(.timedOut, within: 10) {
            try fixture.mirror.push(to: server.gitURL, updates: [PushUpdate(source: "refs/heads/main")], options: options)
        }
    }

    @Test("an ssh server that accepts and never sends its banner times out through the watchdog")
    func silentSSHServer() throws {
        let fixture = try Fixture()
        let server = try SilentServer(.acceptsAndHolds, scratch: fixture.sandbox.root)
        let options = RemoteOptions(credentials: .sshAgent(username: "git"), deadlines: Self.short)
        _ = try Self.expectFailure(.timedOut, within: 10) {
            _ = try fixture.mirror.remoteReferences(at: server.sshURL, options: options)
        }
    }

    @Test("a host that never completes the TCP handshake fails at the connect deadline")
    func neverConnects() throws {
        let fixture = try Fixture()
        let server = try SilentServer(.neverConnects, scratch: fixture.sandbox.root)
        let options = RemoteOptions(deadlines: NetworkDeadlines(connect: .milliseconds(700), inactivity: .seconds(60)))
        let error = try Self.expectFailure(.timedOut, within: 10) {
            _ = try fixture.mirror.remoteReferences(at: server.gitURL, options: options)
        }
        #expect(error.message.contains("no connection within 700 ms"), "\(error)")
    }

    @Test("cancelling a group ends its operation in flight at once, whatever its deadlines, and fails later ones")
    func cancelInFlight() async throws {
        let fixture = try Fixture()
        let server = try SilentServer(.acceptsAndHolds, scratch: fixture.sandbox.root)
        let group = NetworkGroup()
        let options = RemoteOptions(deadlines: NetworkDeadlines(connect: .seconds(60), inactivity: .seconds(600)), group: group)
        let mirrorPath = "\(fixture.sandbox.root)/mirror.git"
        let url = server.gitURL
        // A Dispatch thread, not the cooperative pool: the call blocks until it is cancelled.
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var caught: GitError?
        DispatchQueue.global().async {
            defer { finished.signal() }
            guard let mirror = try? Repository.open(at: mirrorPath) else { return }
            do throws(GitError) { _ = try mirror.remoteReferences(at: url, options: options) } catch { caught = error }
        }
        // Cancel until the operation has been cut in flight, or has ended: a cancel that comes before the
        // operation registers cuts nothing (it returns 0) but fails the operation as soon as it starts.
        // Counted in rounds, not read off the clock: a busy test pool may resume this task late.
        var ended = false
        for _ in 0..<600 where !ended {
            try await Task.sleep(for: .milliseconds(100))
            if group.cancel() > 0 { break }
            ended = finished.wait(timeout: .now()) == .success
        }
        #expect(ended || finished.wait(timeout: .now() + 60) == .success)
        // `.cancelled`, not `.timedOut`: the cancel ended it, not a deadline (60 s to connect, 600 s silent).
        #expect(caught?.code == .cancelled, "\(String(describing: caught))")
        _ = try Self.expectFailure(.cancelled, within: 60) {
            _ = try fixture.mirror.remoteReferences(at: url, options: options)
        }
    }
}
