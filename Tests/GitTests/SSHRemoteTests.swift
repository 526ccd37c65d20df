import Foundation
import GitTestSupport
import Testing

@testable import Git

/// Fetch and push over SSH against a real sshd on loopback: keys, host key checks and refusals.
@Suite("Fetch and push over ssh", .enabled(if: SSHServer.isAvailable, "needs root and openssh-server (make test installs it)"))
struct SSHRemoteTests {
    static let me = Signature(name: "handoffd", email: "handoffd@acme.example", time: GitTime(seconds: 1_795_000_000, offsetMinutes: 0))

    struct Fixture {
        let sandbox: Sandbox
        let server: SSHServer
        let bare: String
        let mirror: Repository
        let options: RemoteOptions

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            let work = try sandbox.workRepository()
            try sandbox.write("spec\n", to: "specs/PAY-1/handoff.yaml", in: work)
            try sandbox.commitAll("first", in: work)
            bare = "\(sandbox.root)/srv.git"
            try sandbox.git(["clone", "-q", "--bare", work, bare], in: sandbox.root)
            server = try SSHServer(folder: "\(sandbox.root)/sshd")
            mirror = try Repository.initBare(at: "\(sandbox.root)/mirror.git")
            options = RemoteOptions(
                credentials: .sshKey(
                    username: server.user, privateKeyPath: server.clientKey,
                    publicKeyPath: server.clientKey + ".pub"),
                hostKeys: .trustedKeys([server.hostKey]))
        }
    }

    @Test("fetch and a fast-forward push with an ed25519 key and a pinned host key")
    func fetchAndPush() throws {
        let fixture = try Fixture()
        defer { fixture.server.stop() }
        let url = fixture.server.url(fixture.bare)
        try fixture.mirror.fetch(from: url, refspecs: ["+refs/heads/main:refs/heads/main"], options: fixture.options)
        let base = try #require(try fixture.mirror.referenceTarget("refs/heads/main"))
        #expect(base.hex == (try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare)))
        let tree = try fixture.mirror.buildTree(
            base: try fixture.mirror.tree(ofCommit: base),
            edits: [.upsert(path: "specs/PAY-1/status.yaml", content: Data("state: ready\n".utf8))])
        let next = try fixture.mirror.createCommit(tree: tree, parents: [base], author: Self.me, committer: Self.me, message: "status")
        try fixture.mirror.updateReference("refs/heads/main", to: next, expecting: base, logMessage: "status")
        try fixture.mirror.push(
            to: url, updates: [PushUpdate(source: "refs/heads/main", expectation: .remoteValue(base))],
            options: fixture.options)
        #expect(try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare) == next.hex)

        let hook = "\(fixture.bare)/hooks/pre-receive"
        try Data("#!/bin/sh\necho declined >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let tree2 = try fixture.mirror.buildTree(base: tree, edits: [.remove(path: "specs/PAY-1/status.yaml")])
        let third = try fixture.mirror.createCommit(tree: tree2, parents: [next], author: Self.me, committer: Self.me, message: "again")
        try fixture.mirror.updateReference("refs/heads/main", to: third, expecting: next, logMessage: "again")
        #expect(throws: PushError.rejected([PushRejection(reference: "refs/heads/main", reason: "pre-receive hook declined")])) {
            try fixture.mirror.push(to: url, updates: [PushUpdate(source: "refs/heads/main")], options: fixture.options)
        }
        #expect(try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare) == next.hex)
    }

    @Test("an ssh URL without user@ logs in as the configured user (libgit2 asks for the name first)")
    func userFromConfiguration() throws {
        let fixture = try Fixture()
        defer { fixture.server.stop() }
        let url = fixture.server.url(fixture.bare).replacingOccurrences(of: "ssh://\(fixture.server.user)@", with: "ssh://")
        #expect(!url.contains("@"))
        try fixture.mirror.fetch(from: url, refspecs: ["+refs/heads/main:refs/heads/main"], options: fixture.options)
        #expect(try fixture.mirror.referenceTarget("refs/heads/main")?.hex == (try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare)))
    }

    @Test("a host key that is not the pinned one is refused before authenticating")
    func wrongHostKey() throws {
        let fixture = try Fixture()
        defer { fixture.server.stop() }
        var options = fixture.options
        options.hostKeys = .trustedKeys(["AAAAC3NzaC1lZDI1NTE5AAAAIOb5m0HkF3Plb0dnMwXUu0Dgsj3VjF6HRbO2ZVf8gQ7a"])
        do {
            try fixture.mirror.fetch(
                from: fixture.server.url(fixture.bare), refspecs: ["+refs/heads/main:refs/heads/main"],
                options: options)
            Issue.record("fetch succeeded against an unpinned host key")
        } catch {
            #expect(error.code == .certificate)
            #expect(error.operation.contains("not among the trusted keys"))
        }
    }

    @Test("without credentials the server's demand is a clear authentication error")
    func noCredentials() throws {
        let fixture = try Fixture()
        defer { fixture.server.stop() }
        do {
            try fixture.mirror.fetch(
                from: fixture.server.url(fixture.bare), refspecs: ["+refs/heads/main:refs/heads/main"],
                options: RemoteOptions(hostKeys: .trustedKeys([fixture.server.hostKey])))
            Issue.record("fetch succeeded without credentials")
        } catch {
            #expect(error.operation.contains("none are configured"))
        }
    }
}
