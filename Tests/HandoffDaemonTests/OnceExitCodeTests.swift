import Foundation
import GitTestSupport
import HandoffDaemon
import HandoffEngine
import Testing

/// `handoffd --once` tells by its exit code who must act: nobody (0), a person (1), or time (75).
@Suite("handoffd --once exit codes")
struct OnceExitCodeTests {
    @Test("a stall outranks a retryable failure; retryable failures alone exit 75 (EX_TEMPFAIL)")
    func summaryExitCode() {
        #expect(OnceRun.Summary().exitCode == 0)
        #expect(OnceRun.Summary(retryable: ["remote"]).exitCode == 75)
        #expect(OnceRun.Summary(stalled: ["specs"]).exitCode == 1)
        #expect(OnceRun.Summary(stalled: ["specs"], retryable: ["remote"]).exitCode == 1)
        #expect(OnceRun.Summary(stalled: ["specs"], retryable: ["remote"]).failures == 2)
    }

    @Test(
        "through the binary: a path holding no repository exits 1, an unreachable remote exits 75, a fixed configuration 0",
        .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
    func binary() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let good = "\(sandbox.root)/good.git"
        try DemoRepository.create(at: good)
        let wrong = try sandbox.folder("repositories")
        func once(_ repositories: [String]) throws -> ProcessResult {
            let config = "\(sandbox.root)/handoffd.yaml"
            try
                ("identity:\n  email: handoffd@acme.example\nstate_directory: \(sandbox.root)/state\nrepositories:\n"
                + repositories.map { "  - { \($0), operators: [ops@acme.example] }\n" }.joined())
                .write(toFile: config, atomically: true, encoding: .utf8)
            return try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment)
        }
        // Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
        let unreachable = "name: remote, url: 'git://127.0.0.1:9/specs.git'"
        let stalled = try once(["name: good, path: \(good)", "name: specs, path: \(wrong)", unreachable])
        #expect(stalled.status == 1, "\(stalled.stderr)")
        #expect(stalled.stderr.contains("cannot process \(wrong): cannot open repository at \(wrong): not a git repository"))
        let retryable = try once(["name: good, path: \(good)", unreachable])
        #expect(retryable.status == 75, "\(retryable.stderr)")
        #expect(retryable.stderr.contains("failed to connect"), "\(retryable.stderr)")
        let fine = try once(["name: good, path: \(good)"])
        #expect(fine.status == 0, "\(fine.stderr)")
    }
}
