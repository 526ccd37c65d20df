import Foundation
import GitTestSupport
import Testing

@testable import Git

/// The tree writer against libgit2's `git_tree_create_updated`, which it replaces on the write path: the
/// same tree, byte for byte, for every update it takes, and libgit2's answer for every one it leaves.
@Suite("Tree writer")
struct TreeWriteTests {
    /// Names whose order is easy to get wrong: a folder sorts as "name/", after "a-b" and "a.b".
    static let names = ["a", "a-b", "a.b", "a0", "ab", "b", "b.txt", "b0", "z"] + (0..<40).map { "p-\(String($0, radix: 7))" }

    static func update(_ path: String, _ object: (id: ObjectID, mode: FileMode)?) -> Repository.PathUpdate {
        Repository.PathUpdate(
            components: Array(path.utf8).split(separator: UInt8(ascii: "/")).map(Array.init), object: object.map { ($0.id.oid, $0.mode.rawValue) })
    }

    @Test("random updates of random trees: the tree libgit2 writes, byte for byte", arguments: [1, 2, 3, 4] as [UInt64])
    func asLibgit2(seed: UInt64) throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/w.git")
        var random = SeededGenerator(state: seed)
        var written = 0
        for round in 0..<40 {
            // A base of files and folders two levels deep, some names a file in one place and a folder in another.
            var files: [String: FileMode] = [:]
            for _ in 0..<Int.random(in: 0...60, using: &random) {
                let depth = Int.random(in: 1...3, using: &random)
                let path = (0..<depth).map { _ in Self.names.randomElement(using: &random)! }.joined(separator: "/")
                files[path] = [.blob, .executable, .symlink].randomElement(using: &random)!
            }
            // Drop paths that sit inside another file.
            let kept = files.filter { path, _ in !files.keys.contains { path.hasPrefix($0 + "/") } }
            let base = try repository.buildTree(
                base: nil, edits: kept.map { .upsert(path: $0.key, content: Data("\($0.key) \(round)\n".utf8), mode: $0.value) })
            let blob = try repository.writeBlob(Data("new \(round)\n".utf8))
            // Updates at distinct paths, none inside another: upserts (new, replacing, of another mode), removals.
            var updates: [String: (id: ObjectID, mode: FileMode)?] = [:]
            let existing = Array(kept.keys).sorted()
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let path: String
                if !existing.isEmpty, Bool.random(using: &random) {
                    path = existing.randomElement(using: &random)!
                } else {
                    path = (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.names.randomElement(using: &random)! }.joined(separator: "/")
                }
                guard !updates.keys.contains(where: { path.hasPrefix($0 + "/") || $0.hasPrefix(path + "/") }) else { continue }
                let removeIt = existing.contains(path) && Bool.random(using: &random)
                updates[path] = removeIt ? .none : .some((blob, [.blob, .executable].randomElement(using: &random)!))
            }
            let list = updates.map { Self.update($0.key, $0.value) }
            let theirs = try? repository.createUpdated(base: base, updates: list)
            let ours = try repository.writeUpdated(base: base, updates: list)
            if let ours {
                #expect(ours == theirs, "seed \(seed) round \(round): \(updates.keys.sorted())")
                written += 1
                let fsck = try sandbox.git(["fsck", "--strict", "--no-dangling"], in: "\(sandbox.root)/w.git")
                #expect(fsck.isEmpty, "seed \(seed) round \(round)")
            }
        }
        // Only a file where a folder goes is left to libgit2 here; most rounds are written.
        #expect(written >= 20, "seed \(seed): \(written) of 40 written")
    }

    @Test("removals that empty folders drop them, as git does; removing the last entry leaves the empty tree")
    func emptiedFolders() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/e.git")
        let base = try repository.buildTree(
            base: nil, edits: [.upsert(path: "a/b/c", content: Data("c\n".utf8)), .upsert(path: "d", content: Data("d\n".utf8))])
        let list = [Self.update("a/b/c", nil), Self.update("d", nil)]
        #expect(try repository.writeUpdated(base: base, updates: list) == (try repository.emptyTree()))
        #expect(try repository.createUpdated(base: base, updates: list) == (try repository.emptyTree()))
        let partly = [Self.update("a/b/c", nil)]
        #expect(try repository.writeUpdated(base: base, updates: partly) == (try repository.createUpdated(base: base, updates: partly)))
    }

    @Test("a large folder: one entry changed, added and removed, as libgit2 writes it")
    func largeFolder() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/l.git")
        let blob = try repository.writeBlob(Data("x\n".utf8))
        let base = try repository.buildTree(
            base: nil, edits: (0..<5000).map { .upsertObject(path: "specs/P-\($0)/status.yaml", id: blob, mode: .blob) })
        let other = try repository.writeBlob(Data("y\n".utf8))
        let list = [
            Self.update("specs/P-17/status.yaml", (other, .blob)), Self.update("specs/P-4999/status.yaml", nil),
            Self.update("specs/P-5000/status.yaml", (other, .blob)), Self.update("specs/P-0/notes.md", (other, .executable)),
        ]
        let ours = try #require(try repository.writeUpdated(base: base, updates: list))
        #expect(ours == (try repository.createUpdated(base: base, updates: list)))
        #expect(
            try repository.diff(from: base, to: ours).map(\.path) == [
                "specs/P-0/notes.md", "specs/P-17/status.yaml", "specs/P-4999/status.yaml", "specs/P-5000/status.yaml",
            ])
    }

    @Test("a hostile folder (out of order, a name twice) and objects libgit2 refuses are left to libgit2")
    func leftToLibgit2() throws {
        let sandbox = try Sandbox()
        let path = "\(sandbox.root)/h.git"
        let repository = try Repository.initBare(at: path)
        let blob = try repository.writeBlob(Data("x\n".utf8))
        let folder = try repository.buildTree(base: nil, edits: [.upsertObject(path: "f", id: blob, mode: .blob)])
        for entries in [
            [("100644", "b", blob), ("100644", "a", blob)],
            [("100644", "a", blob), ("100644", "a-", blob), ("40000", "a", folder)],
            [("100644", "a", blob), ("100644", "a", blob)],
        ] {
            let hostile = try KnownFoldersHostileTests.rawTree(entries, sandbox: sandbox, in: path)
            let list = [Self.update("c", (blob, .blob))]
            #expect(try repository.writeUpdated(base: hostile, updates: list) == nil, "\(entries.map(\.1))")
            // buildTree still writes it, through libgit2 (which keeps one entry per name, in order).
            let built = try repository.buildTree(base: hostile, edits: [.upsertObject(path: "c", id: blob, mode: .blob)])
            #expect(built == (try repository.createUpdated(base: hostile, updates: list)))
        }
        let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        #expect(try repository.writeUpdated(base: folder, updates: [Self.update("g", (missing, .blob))]) == nil)
        #expect(try repository.writeUpdated(base: folder, updates: [Self.update("g", (folder, .blob))]) == nil, "a tree as a file")
        #expect(try repository.writeUpdated(base: folder, updates: [Self.update("f/g", (blob, .blob))]) == nil, "a file where a folder goes")
        let deep = Array(repeating: "d", count: Repository.maxWrittenDepth + 1).joined(separator: "/")
        #expect(try repository.writeUpdated(base: folder, updates: [Self.update(deep, (blob, .blob))]) == nil)
        #expect(throws: GitError.self) { try repository.buildTree(base: folder, edits: [.upsertObject(path: "g", id: missing, mode: .blob)]) }
    }
}
