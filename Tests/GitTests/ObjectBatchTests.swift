import Foundation
import GitTestSupport
import Testing

@testable import Git

/// Objects written together: one pack git accepts for a large batch, loose objects for a small one, and
/// nothing lost when the work inside fails.
@Suite("Writing objects together")
struct ObjectBatchTests {
    /// The files in `objects/pack/` and the loose objects of the bare repository at `bare`.
    static func stored(_ bare: String) throws -> (packs: [String], loose: Int) {
        let packs = try FileManager.default.contentsOfDirectory(atPath: "\(bare)/objects/pack").sorted()
        var loose = 0
        for folder in try FileManager.default.contentsOfDirectory(atPath: "\(bare)/objects")
        where folder.utf8.count == 2 && folder.allSatisfy(\.isHexDigit) {
            loose += try FileManager.default.contentsOfDirectory(atPath: "\(bare)/objects/\(folder)").count
        }
        return (packs, loose)
    }

    /// A tree of `count` files, each with its own content, built in one write.
    static func manyFiles(_ repository: Repository, count: Int, salt: String = "") throws -> ObjectID {
        try repository.buildTree(
            base: nil,
            edits: (0..<count).map { .upsert(path: "specs/P-\($0)/status.md", content: Data("state \($0)\(salt)\n".utf8)) })
    }

    @Test("a large batch lands as one pack git verifies, readable through the handle before it ends")
    func largeBatchIsOnePack() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare, initialBranch: "main")
        let commit = try repository.writingObjectsTogether { () throws -> ObjectID in
            let tree = try Self.manyFiles(repository, count: 300)
            // Held in memory: this handle reads them, git (another process) does not see them yet.
            #expect(try repository.entry(at: "specs/P-7/status.md", inTree: tree) != nil)
            #expect(try sandbox.gitResult(["cat-file", "-e", tree.hex], in: bare).status != 0)
            // A large tree too, which the loose writer would store undeflated.
            let large = try repository.writeBlob(Data(repeating: UInt8(ascii: "x"), count: 200_000))
            let tree2 = try repository.buildTree(base: tree, edits: [.upsertObject(path: "large", id: large, mode: .blob)])
            return try repository.createCommit(
                tree: tree2, parents: [], author: WritingTests.author, committer: WritingTests.committer, message: "Status\n")
        }
        try repository.updateReference("refs/heads/main", to: commit, expecting: nil, logMessage: "test")
        let stored = try Self.stored(bare)
        #expect(stored.loose == 0)
        #expect(stored.packs.count == 2)
        let packs = stored.packs.filter { $0.hasSuffix(".pack") }
        #expect(packs.count == 1)
        // Named by its trailer as git names packs, and valid to git's own readers.
        let verified = try sandbox.git(["verify-pack", "-v", "objects/pack/\(packs[0])"], in: bare)
        #expect(verified.contains("ok"))
        #expect(try sandbox.git(["count-objects", "-v"], in: bare).contains("in-pack: 606"))
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
        #expect(try sandbox.git(["show", "main:specs/P-299/status.md"], in: bare) == "state 299")
        // A new handle finds them in the pack.
        let other = try Repository.open(at: bare)
        #expect(try other.commit(commit).tree == (try repository.commit(commit).tree))
        let content = try other.blob(try #require(try other.entry(at: "large", inTree: try other.commit(commit).tree)).id, sizeLimit: 1 << 20)
        #expect(content == .data(Data(repeating: UInt8(ascii: "x"), count: 200_000)))
    }

    @Test("a small batch is written loose, as git fetch unpacks fewer than 100 objects")
    func smallBatchIsLoose() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare, initialBranch: "main")
        let tree = try repository.writingObjectsTogether { try Self.manyFiles(repository, count: 10) }
        let stored = try Self.stored(bare)
        #expect(stored.packs.isEmpty)
        #expect(stored.loose == 10 + 10 + 3)  // blobs, packet folders, specs/, the root and the empty tree built on
        #expect(try sandbox.git(["cat-file", "-t", tree.hex], in: bare) == "tree")
    }

    @Test("objects written before the work failed are stored all the same, and nested batches end once")
    func failureAndNesting() throws {
        struct Failed: Error {}
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare, initialBranch: "main")
        var written: ObjectID?
        #expect(throws: Failed.self) {
            try repository.writingObjectsTogether { () throws -> Void in
                try repository.writingObjectsTogether { written = try Self.manyFiles(repository, count: 150) }
                // The inner end wrote nothing yet: the outer batch still holds the objects.
                #expect(try Self.stored(bare).loose == 0)
                #expect(try Self.stored(bare).packs.isEmpty)
                throw Failed()
            }
        }
        let tree = try #require(written)
        #expect(try sandbox.git(["cat-file", "-t", tree.hex], in: bare) == "tree")
        #expect(try Self.stored(bare).packs.count == 2)
        // Outside a batch, objects go loose at once, as before.
        let blob = try repository.writeBlob(Data("after\n".utf8))
        #expect(try sandbox.git(["cat-file", "-p", blob.hex], in: bare) == "after")
    }

    @Test("a batch larger than memory allows is written out in parts while it runs")
    func largeBatchWrittenInParts() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare, initialBranch: "main")
        let noise = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? noise.close() }
        let blobs = try repository.writingObjectsTogether {
            try (0..<36).map { _ in try repository.writeBlob(noise.readData(ofLength: 1 << 20)) }
        }
        let stored = try Self.stored(bare)
        // 32 MiB held at most: the first 32 blobs were packed while the batch ran, the last 4 went loose.
        #expect(stored.packs.count == 2)
        #expect(stored.loose == 4)
        for blob in blobs { #expect(try sandbox.gitResult(["cat-file", "-e", blob.hex], in: bare).status == 0) }
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
    }
}
