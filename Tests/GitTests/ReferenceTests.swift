import Foundation
import GitTestSupport
import HandoffSystem
import Testing

@testable import Git

/// Compare-and-swap of references against other processes writing the same ref with the git CLI.
@Suite("References and compare-and-swap")
struct ReferenceTests {
    static let me = Signature(name: "Layer", email: "layer@acme.example", time: GitTime(seconds: 1_795_000_000, offsetMinutes: 0))

    /// A bare repository with one commit on main, and a way to add commits to it through the Git layer.
    struct Fixture {
        let sandbox: Sandbox
        let bare: String
        let repository: Repository
        let root: ObjectID

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            bare = "\(sandbox.root)/bare.git"
            repository = try Repository.initBare(at: bare)
            let tree = try repository.buildTree(base: nil, edits: [.upsert(path: "n", content: Data("0".utf8))])
            root = try repository.createCommit(tree: tree, parents: [], author: me, committer: me, message: "root")
            try repository.updateReference("refs/heads/main", to: root, expecting: nil, logMessage: "root")
        }

        /// A new commit on `parent` writing `content` to `path`.
        func child(of parent: ObjectID, path: String = "n", content: String) throws -> ObjectID {
            let tree = try repository.buildTree(
                base: try repository.tree(ofCommit: parent),
                edits: [.upsert(path: path, content: Data(content.utf8))])
            return try repository.createCommit(tree: tree, parents: [parent], author: me, committer: me, message: content)
        }
    }

    @Test("a ref moved by git update-ref makes the swap fail as 'moved' and changes nothing")
    func moved() throws {
        let fixture = try Fixture()
        let theirs = try fixture.child(of: fixture.root, content: "theirs")
        let ours = try fixture.child(of: fixture.root, content: "ours")
        try fixture.sandbox.git(["update-ref", "refs/heads/main", theirs.hex, fixture.root.hex], in: fixture.bare)
        #expect(throws: ReferenceUpdateError.moved(reference: "refs/heads/main", expected: fixture.root, actual: theirs)) {
            try fixture.repository.updateReference("refs/heads/main", to: ours, expecting: fixture.root, logMessage: "ours")
        }
        #expect(try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare) == theirs.hex)
        // Expecting absence of an existing ref is "moved" too.
        #expect(throws: ReferenceUpdateError.moved(reference: "refs/heads/main", expected: nil, actual: theirs)) {
            try fixture.repository.updateReference("refs/heads/main", to: ours, expecting: nil, logMessage: "ours")
        }
        try fixture.repository.updateReference(
            "refs/heads/main", to: try fixture.child(of: theirs, content: "next"),
            expecting: theirs, logMessage: "next")
    }

    @Test("a missing ref and a held lock are told apart")
    func missingAndLocked() throws {
        let fixture = try Fixture()
        let next = try fixture.child(of: fixture.root, content: "next")
        #expect(throws: ReferenceUpdateError.missing(reference: "refs/heads/other")) {
            try fixture.repository.updateReference("refs/heads/other", to: next, expecting: fixture.root, logMessage: "x")
        }
        let lock = "\(fixture.bare)/refs/heads/main.lock"
        _ = FileManager.default.createFile(atPath: lock, contents: Data())
        #expect(throws: ReferenceUpdateError.locked(reference: "refs/heads/main")) {
            try fixture.repository.updateReference("refs/heads/main", to: next, expecting: fixture.root, logMessage: "x")
        }
        try FileManager.default.removeItem(atPath: lock)
        try fixture.repository.updateReference("refs/heads/main", to: next, expecting: fixture.root, logMessage: "x")
        #expect(try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare) == next.hex)
    }

    @Test("a swap on a packed ref works and git sees it")
    func packed() throws {
        let fixture = try Fixture()
        try fixture.sandbox.git(["pack-refs", "--all"], in: fixture.bare)
        let next = try fixture.child(of: fixture.root, content: "next")
        try fixture.repository.updateReference("refs/heads/main", to: next, expecting: fixture.root, logMessage: "x")
        #expect(try fixture.sandbox.git(["rev-parse", "main"], in: fixture.bare) == next.hex)
        try fixture.repository.updateReference("refs/tags/t", to: next, expecting: nil, logMessage: "tag")
        try fixture.repository.deleteReference("refs/tags/t", expecting: next)
        #expect(try fixture.repository.referenceTarget("refs/tags/t") == nil)
        #expect(throws: ReferenceUpdateError.missing(reference: "refs/tags/t")) {
            try fixture.repository.deleteReference("refs/tags/t", expecting: next)
        }
    }

    @Test("racing the Git layer against a git update-ref loop on one ref loses no update")
    func race() throws {
        let fixture = try Fixture()
        let cliRounds = 60, layerRounds = 60
        // The CLI side: read, commit on top, CAS with update-ref's old-value check, retry until it lands.
        let script = """
            set -u
            landed=0
            while [ $landed -lt \(cliRounds) ]; do
              old=$(git rev-parse refs/heads/main)
              tree=$(printf 'cli %s\\n' "$landed" | git hash-object -w --stdin)
              newtree=$(printf '100644 blob %s\\tcli\\n' "$tree" | git mktree)
              new=$(git commit-tree -p "$old" -m "cli $landed" "$newtree")
              if git update-ref refs/heads/main "$new" "$old" 2>/dev/null; then landed=$((landed+1)); fi
            done
            """
        let cli = try ChildProcess("/bin/bash", ["-c", script], in: fixture.bare, environment: fixture.sandbox.environment)
        var landed = 0, moved = 0, locked = 0
        while landed < layerRounds {
            let current = try #require(try fixture.repository.referenceTarget("refs/heads/main"))
            let next = try fixture.child(of: current, path: "layer", content: "layer \(landed)")
            do {
                try fixture.repository.updateReference("refs/heads/main", to: next, expecting: current, logMessage: "layer")
                landed += 1
            } catch .moved {
                moved += 1
            } catch .locked {
                locked += 1
            }
        }
        #expect(cli.wait() == 0)
        let count = try fixture.sandbox.git(["rev-list", "--count", "main"], in: fixture.bare)
        #expect(Int(count) == 1 + cliRounds + layerRounds, "moved \(moved) times, locked \(locked) times")
        try fixture.sandbox.git(["fsck", "--strict", "--no-dangling"], in: fixture.bare)
    }
}
