import Foundation
import GitPaths
import GitTestSupport
import Testing

@testable import Git

/// Trees and commits written by the Git layer are valid to `git fsck --strict` and read back as intended.
@Suite("Writing objects git accepts")
struct WritingTests {
    static let author = Signature(
        name: "handoffd", email: "handoffd@acme.example",
        time: GitTime(seconds: 1_795_000_000, offsetMinutes: 60))
    static let committer = Signature(
        name: "Handoff Bot", email: "bot@acme.example",
        time: GitTime(seconds: 1_795_000_100, offsetMinutes: -300))

    @Test("in-memory tree edits plus a commit pass git fsck --strict and show as intended")
    func commitAndFsck() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare, initialBranch: "main")
        let first = try repository.buildTree(
            base: nil,
            edits: [
                .upsert(path: "specs/PAY-1/status.yaml", content: Data("state: draft\n".utf8)),
                .upsert(path: ".handoff/board.md", content: Data("# Board\n".utf8)),
                .upsert(path: "tools/run.sh", content: Data("#!/bin/sh\n".utf8), mode: .executable),
                .upsert(path: "link", content: Data("specs".utf8), mode: .symlink),
            ])
        let message = "Handoff status\n\nOne packet changed.\n\nHandoff-Processed: 0123456789abcdef0123456789abcdef01234567\n"
        let root = try repository.createCommit(
            tree: first, parents: [], author: Self.author,
            committer: Self.committer, message: message)
        try repository.updateReference("refs/heads/main", to: root, expecting: nil, logMessage: "handoff: status")

        let second = try repository.buildTree(
            base: first,
            edits: [
                .upsert(path: "specs/PAY-1/status.yaml", content: Data("state: ready\n".utf8)),
                .upsert(path: "specs/PAY-2/status.yaml", content: Data("state: draft\n".utf8)),
                .remove(path: "tools/run.sh"),
                .remove(path: "does/not/exist"),
            ])
        let child = try repository.createCommit(
            tree: second, parents: [root], author: Self.author,
            committer: Self.committer, message: "Second\n\nHandoff-Processed: \(root.hex)")
        try repository.updateReference("refs/heads/main", to: child, expecting: root, logMessage: "handoff: status")

        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
        #expect(try sandbox.git(["rev-parse", "refs/heads/main"], in: bare) == child.hex)
        #expect(
            try sandbox.git(["ls-tree", "-r", "--name-only", "main"], in: bare).split(separator: "\n") == [
                ".handoff/board.md", "link", "specs/PAY-1/status.yaml", "specs/PAY-2/status.yaml",
            ])
        // tools/ vanished with its last file, as in git.
        #expect(try sandbox.git(["ls-tree", "main", "tools"], in: bare).isEmpty)
        #expect(try sandbox.git(["show", "main:specs/PAY-1/status.yaml"], in: bare) == "state: ready")
        #expect(try sandbox.git(["ls-tree", "\(root.hex)", "link"], in: bare).hasPrefix("120000 blob"))
        let shown = try sandbox.git(
            [
                "show", "-s", "--format=%an|%ae|%ad|%cn|%ce|%cd|%s|%(trailers:key=Handoff-Processed,valueonly)",
                "--date=iso-strict", "main",
            ], in: bare)
        #expect(
            shown == "handoffd|handoffd@acme.example|2026-11-18T12:06:40+01:00|Handoff Bot|bot@acme.example|"
                + "2026-11-18T06:08:20-05:00|Second|\(root.hex)")
        let readBack = try repository.commit(child)
        #expect(readBack.author == Self.author)
        #expect(readBack.committer == Self.committer)
        #expect(readBack.trailers == [Trailer(key: "Handoff-Processed", value: root.hex)])
        #expect(readBack.message == "Second\n\nHandoff-Processed: \(root.hex)\n")
    }

    @Test("a commit whose tree equals its parent's is refused")
    func noEmptyCommits() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/bare.git")
        let tree = try repository.buildTree(base: nil, edits: [.upsert(path: "a", content: Data("a".utf8))])
        let root = try repository.createCommit(tree: tree, parents: [], author: Self.author, committer: Self.author, message: "a")
        let unchanged = try repository.buildTree(base: tree, edits: [.upsert(path: "a", content: Data("a".utf8))])
        #expect(unchanged == tree)
        #expect(try repository.buildTree(base: tree, edits: []) == tree)
        do {
            _ = try repository.createCommit(
                tree: unchanged, parents: [root], author: Self.author,
                committer: Self.author, message: "nothing")
            Issue.record("an empty commit was created")
        } catch let error as GitError {
            #expect(error.code == .emptyCommit)
        }
    }

    @Test(
        "paths that git would refuse are rejected before anything is written",
        arguments: [
            "", "/abs", "a//b", "a/./b", "a/../b", ".git/config", "x/.GIT/y", "trailing/", "x/.git./y", "GIT~1/config", ".git::$INDEX_ALLOCATION/x",
            "x/.g\u{200D}it/y",
        ])
    func badPaths(_ path: String) throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/bare.git")
        #expect(throws: GitError.self) {
            try repository.buildTree(base: nil, edits: [.upsert(path: path, content: Data("x".utf8))])
        }
    }

    @Test("the last edit to a path wins and a file can replace a folder")
    func editOrdering() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare)
        let base = try repository.buildTree(
            base: nil,
            edits: [
                .upsert(path: "a/b/c.txt", content: Data("1".utf8)),
                .upsert(path: "a/b/c.txt", content: Data("2".utf8)),
                .upsert(path: "z.txt", content: Data("z".utf8)),
            ])
        let blob = try repository.writeBlob(Data("kept".utf8))
        let edited = try repository.buildTree(
            base: base,
            edits: [
                .remove(path: "a/b/c.txt"),
                .upsertObject(path: "a/keep.txt", id: blob, mode: .blob),
                .remove(path: "z.txt"),
                .upsert(path: "z.txt", content: Data("again".utf8)),
            ])
        let commit = try repository.createCommit(tree: edited, parents: [], author: Self.author, committer: Self.author, message: "t")
        try repository.updateReference("refs/heads/main", to: commit, expecting: nil, logMessage: "t")
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
        #expect(try sandbox.git(["ls-tree", "-r", "--name-only", "main"], in: bare).split(separator: "\n") == ["a/keep.txt", "z.txt"])
        #expect(try sandbox.git(["show", "main:z.txt"], in: bare) == "again")
        let changes = try repository.diff(from: base, to: edited)
        #expect(changes.map { "\($0.kind.rawValue) \($0.path)" } == ["D a/b/c.txt", "A a/keep.txt", "M z.txt"])
    }

    /// An upsert replaces what is in its way, as `git add -A` would: a folder at its path (with files no
    /// edit names), a file where its folder goes, a file where a submodule goes, and back.
    @Test("an upsert replaces a folder, a file in its way, or an entry of another kind")
    func upsertReplacesWhatIsInTheWay() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare)
        let base = try repository.buildTree(
            base: nil,
            edits: [
                .upsert(path: "folder/a.txt", content: Data("a".utf8)),
                .upsert(path: "folder/deep/b.txt", content: Data("b".utf8)),
                .upsert(path: "file", content: Data("f".utf8)),
                .upsert(path: "vendor", content: Data("v".utf8)),
            ])
        let commit = try repository.createCommit(tree: base, parents: [], author: Self.author, committer: Self.author, message: "t")
        let edited = try repository.buildTree(
            base: base,
            edits: [
                .remove(path: "folder/a.txt"),
                .upsert(path: "folder", content: Data("now a file".utf8)),
                .remove(path: "file"),
                .upsert(path: "file/inside.txt", content: Data("now a folder".utf8)),
                .upsertObject(path: "vendor", id: commit, mode: .submodule),
            ])
        #expect(try repository.entry(at: "folder", inTree: edited)?.mode == .blob)
        #expect(try repository.entry(at: "file/inside.txt", inTree: edited)?.mode == .blob)
        #expect(try repository.entry(at: "vendor", inTree: edited)?.mode == .submodule)
        // An upsert under a file no edit removes replaces the file too.
        let back = try repository.buildTree(
            base: edited,
            edits: [
                .upsert(path: "folder/again.txt", content: Data("a folder again".utf8)),
                .upsert(path: "vendor", content: Data("a file again".utf8)),
            ])
        #expect(try repository.entry(at: "folder", inTree: back)?.mode == .tree)
        #expect(try repository.entry(at: "vendor", inTree: back)?.mode == .blob)
        let tip = try repository.createCommit(tree: back, parents: [commit], author: Self.author, committer: Self.author, message: "t")
        try repository.updateReference("refs/heads/main", to: tip, expecting: nil, logMessage: "t")
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
    }

    /// Edits laid over a tree in one update (a status run's files over the input's changes) may put a file
    /// at a path and another inside it: they apply in order, as one after another would.
    @Test("a file at a folder's path and a file inside it: the edits apply in order")
    func laterEditWinsAcrossFolders() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare)
        let base = try repository.buildTree(
            base: nil, edits: [.upsert(path: ".handoff/board.md", content: Data("board".utf8)), .upsert(path: "z", content: Data("z".utf8))])
        let inside = try repository.buildTree(
            base: base,
            edits: [
                .upsert(path: ".handoff/board.md", content: Data("new board".utf8)),
                .upsert(path: ".handoff/board.md/x", content: Data("x".utf8)),
                .remove(path: "z/y"),
            ])
        #expect(try repository.entry(at: ".handoff/board.md/x", inTree: inside)?.mode == .blob)
        #expect(try repository.entry(at: "z", inTree: inside)?.mode == .blob)
        let file = try repository.buildTree(
            base: base,
            edits: [
                .upsert(path: ".handoff/board.md/x", content: Data("x".utf8)),
                .remove(path: ".handoff/board.md/y"),
                .upsert(path: ".handoff/board.md", content: Data("new board".utf8)),
            ])
        #expect(try repository.entry(at: ".handoff/board.md", inTree: file)?.mode == .blob)
        // A folder replaced by a file and then by a folder again keeps none of what it held.
        let withFolder = try repository.buildTree(
            base: base, edits: [.upsert(path: "f/old.md", content: Data("old".utf8)), .upsert(path: "f/kept/deep.md", content: Data("d".utf8))])
        let replaced = try repository.buildTree(
            base: withFolder,
            edits: [
                .remove(path: "f/old.md"), .upsert(path: "f", content: Data("a file".utf8)), .upsert(path: "f/new.md", content: Data("new".utf8)),
            ])
        #expect(try repository.entry(at: "f/new.md", inTree: replaced)?.mode == .blob)
        #expect(try repository.entry(at: "f/kept/deep.md", inTree: replaced) == nil)
        #expect(try repository.entries(inFolder: "f", ofTree: replaced)?.map(\.name) == ["new.md"])
        let fromNothing = try repository.buildTree(
            base: nil, edits: [.upsert(path: "a", content: Data("a".utf8)), .upsert(path: "a/b/c", content: Data("c".utf8))])
        #expect(try repository.entry(at: "a/b/c", inTree: fromNothing)?.mode == .blob)
        let commit = try repository.createCommit(tree: file, parents: [], author: Self.author, committer: Self.author, message: "t")
        try repository.updateReference("refs/heads/main", to: commit, expecting: nil, logMessage: "t")
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
    }

    /// A diff that turns thousands of files into folders (remove `fI`, add `fI/x`, …) is one update, not one
    /// per pair: each would rewrite the whole folder.
    @Test("edits are cut into runs only where order needs it")
    func runsOnlyWhereNeeded() {
        let data = Data("x".utf8)
        let swaps = (0..<2_000).flatMap { index in [TreeEdit.remove(path: "junk/f\(index)"), .upsert(path: "junk/f\(index)/x", content: data)] }
        #expect(Repository.runsWithoutNesting(swaps).count == 1)
        let backToFiles = (0..<2_000).flatMap { index in [TreeEdit.upsert(path: "junk/f\(index)", content: data), .remove(path: "junk/f\(index)/x")] }
        #expect(Repository.runsWithoutNesting(backToFiles).map(\.count) == [2_000], "a removal inside a file just put has nothing to remove")
        #expect(Repository.runsWithoutNesting([.upsert(path: "a", content: data), .upsert(path: "a/b", content: data)]).count == 2)
        #expect(
            Repository.runsWithoutNesting([.upsert(path: "a/b", content: data), .upsert(path: "a", content: data)]).map { $0.map(\.path) } == [["a"]],
            "a file put at a folder's path replaces what earlier edits put inside it")
    }

    /// A folder removed and then edited inside, in one call: what the removal took stays gone (libgit2,
    /// given both in one update, rebuilds the folder from the base and keeps it).
    @Test("a folder removed, then edited inside: as one after the other")
    func removedFolderThenInside() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/bare.git")
        let data = Data("x".utf8)
        let base = try repository.buildTree(
            base: nil, edits: [.upsert(path: "a/x", content: data), .upsert(path: "b/b", content: data), .upsert(path: "b/c", content: data)])
        let one = try repository.buildTree(base: base, edits: [.remove(path: "a"), .upsert(path: "a/b", content: data)])
        #expect(try repository.entries(inFolder: "a", ofTree: one)?.map(\.name) == ["b"])
        let two = try repository.buildTree(base: base, edits: [.remove(path: "b"), .remove(path: "b/b")])
        #expect(try repository.entry(at: "b", inTree: two) == nil)
        let three = try repository.buildTree(base: base, edits: [.remove(path: "a"), .remove(path: "a/x")])
        #expect(try repository.entry(at: "a", inTree: three) == nil)
        #expect(try repository.entry(at: "b/c", inTree: three) != nil)
    }

    /// git splits paths at `/` bytes and tells names apart by their bytes; Swift's `String` does neither
    /// (a `/` followed by a combining mark is one character; `é` composed equals `e` + U+0301).
    @Test("paths are split and told apart as git does: combining marks after a slash, composed and decomposed names")
    func pathsAsBytes() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare)
        let base = try repository.buildTree(
            base: nil, edits: [.upsert(path: "d/a", content: Data("file".utf8)), .upsert(path: "docs/caf\u{E9}", content: Data("nfc".utf8))])
        let edited = try repository.buildTree(
            base: base,
            edits: [
                .remove(path: "d/a"), .upsert(path: "d/a/\u{301}x", content: Data("inside".utf8)),
                .upsert(path: "docs/cafe\u{301}", content: Data("nfd".utf8)), .remove(path: "docs/caf\u{E9}"),
            ])
        #expect(try repository.entry(at: "d/a", inTree: edited)?.mode == .tree)
        #expect(try repository.entry(at: "d/a/\u{301}x", inTree: edited)?.mode == .blob)
        #expect(try repository.entries(inFolder: "docs", ofTree: edited)?.map { Array($0.name.utf8) } == [Array("cafe\u{301}".utf8)])
        let commit = try repository.createCommit(tree: edited, parents: [], author: Self.author, committer: Self.author, message: "t")
        try repository.updateReference("refs/heads/main", to: commit, expecting: nil, logMessage: "t")
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
        #expect(GitPath.components("a/\u{301}b") == ["a", "\u{301}b"])
        #expect(GitPath.isInside("a/\u{301}b", "a") && !GitPath.isInside("ab", "a") && !GitPath.isInside("a", "a"))
    }

    @Test("init bare names the chosen branch in HEAD and refuses to reinitialise")
    func initBare() throws {
        let sandbox = try Sandbox()
        let path = "\(sandbox.root)/nested/dir/repo.git"
        let repository = try Repository.initBare(at: path, initialBranch: "trunk")
        #expect(repository.isBare)
        #expect(try sandbox.git(["symbolic-ref", "HEAD"], in: path) == "refs/heads/trunk")
        #expect(try sandbox.git(["rev-parse", "--is-bare-repository"], in: path) == "true")
        #expect(try repository.headBranch() == "refs/heads/trunk")
        #expect(throws: GitError.self) { try Repository.initBare(at: path) }
        #expect(throws: GitError.self) { try Repository.initBare(at: "\(sandbox.root)/x.git", initialBranch: "bad..name") }
    }
}

/// `BytePath`: keys that tell apart what git tells apart.
@Suite("Byte paths")
struct BytePathTests {
    @Test("composed and decomposed names, a Kelvin sign and K: equal as Strings, different as keys, ordered by bytes")
    func keys() {
        let composed = "caf\u{E9}.md", decomposed = "cafe\u{301}.md"
        #expect(composed == decomposed && "\u{212A}.yaml" == "K.yaml")
        #expect(BytePath(composed) != BytePath(decomposed) && BytePath("\u{212A}.yaml") != BytePath("K.yaml"))
        #expect(Set([BytePath(composed), BytePath(decomposed)]).count == 2)
        #expect(BytePath(decomposed) < BytePath(composed))  // "e" (0x65) before "é" (0xC3 0xA9)
        #expect(BytePath(composed).exactKey == "caf%C3%A9.md" && BytePath(decomposed).exactKey == "cafe%CC%81.md")
        #expect(BytePath("specs/PAY-1/context.md").exactKey == "specs/PAY-1/context.md")
        #expect(BytePath("100%.md").exactKey == "100%25.md" && BytePath("a b").exactKey == "a%20b")
    }
}
