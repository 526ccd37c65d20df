import Foundation
import GitTestSupport
import Testing

@testable import Git

/// Fetch and push against a real `git daemon` on loopback, started and stopped by the test.
@Suite("Fetch and push over git://")
struct RemoteTests {
    static let me = Signature(name: "handoffd", email: "handoffd@acme.example", time: GitTime(seconds: 1_795_000_000, offsetMinutes: 0))

    /// A served bare repository `srv.git` with one commit on main, and an empty local mirror.
    struct Fixture {
        let sandbox: Sandbox
        let daemon: GitDaemon
        let server: String
        let url: String
        let mirror: Repository
        let work: String

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            work = try sandbox.workRepository()
            try sandbox.write("spec\n", to: "specs/PAY-1/handoff.yaml", in: work)
            try sandbox.commitAll("first", in: work)
            let served = try sandbox.folder("served")
            server = "\(served)/srv.git"
            try sandbox.git(["clone", "-q", "--bare", work, server], in: sandbox.root)
            daemon = try GitDaemon(serving: served, environment: sandbox.environment)
            url = daemon.url("srv.git")
            mirror = try Repository.initBare(at: "\(sandbox.root)/mirror.git")
        }

        func serverHead(_ ref: String = "refs/heads/main") throws -> String {
            try sandbox.git(["rev-parse", ref], in: server)
        }

        /// Fetches main into `refs/remotes/origin/main` of the mirror and returns it.
        func fetchMain() throws -> ObjectID {
            try mirror.fetch(from: url, refspecs: ["+refs/heads/main:refs/remotes/origin/main"])
            return try #require(try mirror.referenceTarget("refs/remotes/origin/main"))
        }

        /// A commit on `parent` in the mirror, set as the mirror's `ref`.
        @discardableResult
        func commitInMirror(on parent: ObjectID, content: String, ref: String = "refs/heads/main") throws -> ObjectID {
            let tree = try mirror.buildTree(
                base: try mirror.tree(ofCommit: parent),
                edits: [.upsert(path: "specs/PAY-1/status.yaml", content: Data(content.utf8))])
            let commit = try mirror.createCommit(tree: tree, parents: [parent], author: me, committer: me, message: content)
            let current = try mirror.referenceTarget(ref)
            try mirror.updateReference(ref, to: commit, expecting: current, logMessage: content)
            return commit
        }

        /// Moves the server's main on with a commit made by the git CLI in the work clone.
        func moveServer(_ content: String) throws -> String {
            try sandbox.git(["pull", "-q", "--ff-only", server, "main"], in: work)
            try sandbox.write(content, to: "other.txt", in: work)
            try sandbox.commitAll(content, in: work)
            try sandbox.git(["push", "-q", server, "main"], in: work)
            return try serverHead()
        }
    }

    @Test("fetch brings the server's branch; ls-remote lists its refs")
    func fetch() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        #expect(try fixture.fetchMain().hex == fixture.serverHead())
        let listed = try fixture.mirror.remoteReferences(at: fixture.url)
        #expect(listed.contains { $0.name == "refs/heads/main" && $0.target?.hex == (try? fixture.serverHead()) })
        #expect(try fixture.mirror.references(matching: "refs/tags/*").isEmpty)
    }

    @Test("a fast-forward push succeeds and the server holds a valid history")
    func fastForward() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let base = try fixture.fetchMain()
        let pushed = try fixture.commitInMirror(on: base, content: "state: ready\n")
        try fixture.mirror.push(to: fixture.url, updates: [PushUpdate(source: "refs/heads/main")])
        #expect(try fixture.serverHead() == pushed.hex)
        try fixture.sandbox.git(["fsck", "--strict", "--no-dangling"], in: fixture.server)
        // A remote compare-and-swap that holds goes through.
        let next = try fixture.commitInMirror(on: pushed, content: "state: in_progress\n")
        try fixture.mirror.push(to: fixture.url, updates: [PushUpdate(source: "refs/heads/main", expectation: .remoteValue(pushed))])
        #expect(try fixture.serverHead() == next.hex)
    }

    @Test("a non-fast-forward push is an error and leaves the server unchanged")
    func nonFastForward() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let base = try fixture.fetchMain()
        try fixture.commitInMirror(on: base, content: "ours\n")
        let theirs = try fixture.moveServer("theirs\n")
        // Their commit is unknown locally: refused before sending anything.
        #expect(throws: PushError.self) { try fixture.mirror.push(to: fixture.url, updates: [PushUpdate(source: "refs/heads/main")]) }
        #expect(try fixture.serverHead() == theirs)
        // Known locally but not an ancestor: refused as well.
        _ = try fixture.fetchMain()
        do {
            try fixture.mirror.push(to: fixture.url, updates: [PushUpdate(source: "refs/heads/main")])
            Issue.record("a non-fast-forward push succeeded")
        } catch {
            guard case .rejected(let rejections) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(rejections.map(\.reference) == ["refs/heads/main"])
            #expect(rejections[0].reason.contains("non-fast-forward"))
        }
        #expect(try fixture.serverHead() == theirs)
    }

    @Test("a remote compare-and-swap whose expected value is stale is refused before the transfer")
    func staleLease() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let base = try fixture.fetchMain()
        try fixture.commitInMirror(on: base, content: "ours\n")
        let theirs = try fixture.moveServer("theirs\n")
        do {
            try fixture.mirror.push(to: fixture.url, updates: [PushUpdate(source: "refs/heads/main", expectation: .remoteValue(base))])
            Issue.record("a stale compare-and-swap push succeeded")
        } catch {
            guard case .rejected(let rejections) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(rejections.first?.reason.contains("remote moved") == true)
        }
        #expect(try fixture.serverHead() == theirs)
    }

    @Test("a push the server's pre-receive hook declines is an error, not a success")
    func preReceiveDeclines() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let hook = "\(fixture.server)/hooks/pre-receive"
        try Data("#!/bin/sh\necho 'handoff: status files are written by handoffd only' >&2\nexit 1\n".utf8)
            .write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let base = try fixture.fetchMain()
        try fixture.commitInMirror(on: base, content: "tampered\n")
        do {
            try fixture.mirror.push(to: fixture.url, updates: [PushUpdate(source: "refs/heads/main")])
            Issue.record("a push declined by pre-receive reported success")
        } catch {
            guard case .rejected(let rejections) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(rejections.map(\.reference) == ["refs/heads/main"])
            #expect(rejections[0].reason.contains("pre-receive hook declined"))
        }
        #expect(try fixture.serverHead() == base.hex)
    }

    @Test("per-reference results: the update hook refuses one branch, the other lands")
    func perReference() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let hook = "\(fixture.server)/hooks/update"
        try Data("#!/bin/sh\n[ \"$1\" = refs/heads/locked ] && { echo 'locked branch' >&2; exit 1; }\nexit 0\n".utf8)
            .write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let base = try fixture.fetchMain()
        let main = try fixture.commitInMirror(on: base, content: "main\n")
        try fixture.commitInMirror(on: base, content: "locked\n", ref: "refs/heads/locked")
        do {
            try fixture.mirror.push(
                to: fixture.url,
                updates: [
                    PushUpdate(source: "refs/heads/main"),
                    PushUpdate(source: "refs/heads/locked"),
                ])
            Issue.record("a partly refused push reported success")
        } catch {
            guard case .rejected(let rejections) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(rejections.map(\.reference) == ["refs/heads/locked"])
        }
        #expect(try fixture.serverHead() == main.hex)
        #expect(try fixture.sandbox.gitResult(["rev-parse", "--verify", "-q", "refs/heads/locked"], in: fixture.server).status != 0)
    }

    @Test("an unreachable server is a failure naming the URL")
    func unreachable() throws {
        let sandbox = try Sandbox()
        let mirror = try Repository.initBare(at: "\(sandbox.root)/mirror.git")
        let port = try GitDaemon.freeLoopbackPort()
        do {
            try mirror.fetch(from: "git://127.0.0.1:\(port)/none.git", refspecs: ["+refs/heads/main:refs/remotes/origin/main"])
            Issue.record("fetch from a closed port succeeded")
        } catch {
            #expect(error.operation.contains("git://127.0.0.1:\(port)/none.git"))
        }
    }
}
