import Foundation
import GitTestSupport
import HandoffConfiguration
import HandoffCore
import HandoffEngine
import Logging
import Testing

@testable import HandoffDaemon

/// An idle poll stops at the references: a pass that sees what the last empty pass saw runs no engine.
@Suite("Idle passes", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct IdlePassTests {
    static func sync(_ text: String) throws -> RepositorySync {
        let configuration = try DaemonConfiguration.parse(text, file: "t.yaml")
        let entry = configuration.repositories[0]
        let processor = RepositoryProcessor(settings: PreparedConfiguration(configuration).settings(for: entry, cache: nil))
        // As a worker runs it: local references read through a handle kept across passes.
        return RepositorySync(entry: entry, processor: processor, memo: IdleMemo(), references: ReferenceReader(), logger: Logger(label: "test"))
    }

    /// Pushes a `block` action from a fresh clone of `server` to `url`.
    static func pushAction(_ sandbox: Sandbox, server: String, url: String, folder: String) throws {
        try sandbox.git(["clone", "-q", server, folder], in: sandbox.root)
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block\n\nHandoff: block PAY-142 legal"], in: "\(sandbox.root)/\(folder)",
            env: ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"])
        try sandbox.git(["push", "-q", url, "HEAD:main"], in: "\(sandbox.root)/\(folder)")
    }

    @Test("local: the pass after an empty one stops at once; a push, or a reload's forget, makes the next pass run")
    func local() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let server = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: server)
        let sync = try Self.sync(
            """
            identity: { email: handoffd@acme.example }
            state_directory: \(sandbox.root)/state
            repositories:
              - { name: specs, path: \(server), operators: [ops@acme.example] }

            """)
        #expect(try sync.run()?.statusCommit != nil, "the first pass publishes")
        #expect(try sync.run()?.statusCommit == nil, "the second finds its own status at the tip: nothing to do")
        #expect(try sync.run() == nil, "the third sees the same references again and stops there")
        try Self.pushAction(sandbox, server: server, url: server, folder: "clone")
        let moved = try #require(try sync.run(), "a moved branch is processed")
        #expect(moved.statusCommit != nil)
        #expect(try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: server).contains("blocked: true"))
        #expect(try sync.run()?.statusCommit == nil)
        #expect(try sync.run() == nil)
        // The kept handle sees references that move to packed-refs, and a push after that.
        try sandbox.git(["pack-refs", "--all"], in: server)
        #expect(try sync.run() == nil, "packing the references changes none of them")
        try sandbox.git(["pull", "-q", "origin", "main"], in: "\(sandbox.root)/clone")
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "unblock\n\nHandoff: unblock PAY-142"], in: "\(sandbox.root)/clone",
            env: ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"])
        try sandbox.git(["push", "-q", server, "HEAD:main"], in: "\(sandbox.root)/clone")
        #expect(try sync.run()?.statusCommit != nil, "a push after pack-refs is processed")
        #expect(try sync.run()?.statusCommit == nil)
        #expect(try sync.run() == nil)
        sync.memo.forget()
        #expect(try sync.run() != nil, "after a reload the next pass runs whatever it sees")
    }

    @Test("remote over git://: an idle pass lists the references and fetches nothing; a push to the server is processed")
    func remote() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let served = try sandbox.folder("served")
        let server = "\(served)/specs.git"
        try DemoRepository.create(at: server)
        let daemon = try GitDaemon(serving: served, environment: sandbox.environment)
        defer { daemon.stop() }
        let sync = try Self.sync(
            """
            identity: { email: handoffd@acme.example }
            state_directory: \(sandbox.root)/state
            repositories:
              - { name: remote, url: \(daemon.url("specs.git")), status_branch: handoff/status, operators: [ops@acme.example] }

            """)
        #expect(try sync.run()?.statusCommit != nil)
        #expect(try sync.run()?.statusCommit == nil)
        #expect(try sync.run() == nil)
        try Self.pushAction(sandbox, server: server, url: daemon.url("specs.git"), folder: "clone")
        #expect(try sync.run()?.statusCommit != nil)
        #expect(try sandbox.git(["show", "handoff/status:specs/PAY-142/status.yaml"], in: server).contains("blocked: true"))
        #expect(try sync.run()?.statusCommit == nil)
        #expect(try sync.run() == nil)
    }
}
