import Foundation
import GitPaths
import GitTestSupport
import Testing

@testable import Git

/// The parsed trees a handle keeps: a large packet root outlives the small folders looked up after it,
/// within the entry budget.
@Suite("Tree handles")
struct TreeHandlesTests {
    @Test("a large tree outlives more small trees than the capacity; the entry budget still lets it go")
    func largeTreeKept() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: try sandbox.folder("kept.git"))
        let large = try repository.buildTree(
            base: nil, edits: (0..<TreeHandles.largeEntries).map { .upsert(path: "f\($0)", content: Data()) })
        let small = try (0..<40).map { try repository.buildTree(base: nil, edits: [.upsert(path: "s", content: Data("\($0)".utf8))]) }

        let handles = TreeHandles(capacity: 16)
        _ = try handles.handle(large, in: repository.pointer)
        for id in small { _ = try handles.handle(id, in: repository.pointer) }
        #expect(handles.kept.count == 16)
        #expect(handles.kept.contains(large))
        #expect(handles.kept.first == small.last)

        let tight = TreeHandles(capacity: 16, maxEntries: TreeHandles.largeEntries)
        _ = try tight.handle(large, in: repository.pointer)
        for id in small.prefix(5) { _ = try tight.handle(id, in: repository.pointer) }
        #expect(!tight.kept.contains(large))
        #expect(tight.kept.count == 5)
    }
}

/// Folder ids known from a diff: lookups in that tree start there, with the answers a walk from the root gives.
@Suite("Known folders")
struct KnownFoldersTests {
    @Test("a diff's folders let another handle read the tree's packet folders without parsing the folders above")
    func knownFolders() throws {
        let sandbox = try Sandbox()
        let path = try sandbox.folder("known.git")
        let repository = try Repository.initBare(at: path)
        let before = try repository.buildTree(
            base: nil, edits: (0..<50).map { .upsert(path: "specs/P-\($0)/context.md", content: Data("\($0)\n".utf8)) })
        let after = try repository.buildTree(
            base: before,
            edits: [.upsert(path: "specs/P-7/context.md", content: Data("changed\n".utf8)), .upsert(path: "specs/P-7/notes/a.md", content: Data())])
        var folders: [BytePath: ObjectID]? = [:]
        let changes = try repository.diff(from: before, to: after, folders: &folders)
        #expect(changes.map(\.path) == ["specs/P-7/context.md", "specs/P-7/notes/a.md"])
        let specs = try #require(try repository.entry(at: "specs", inTree: after)).id
        let packet = try #require(try repository.entry(at: "specs/P-7", inTree: after)).id
        #expect(folders?[BytePath("specs")] == specs)
        #expect(folders?[BytePath("specs/P-7")] == packet)
        #expect(folders?[BytePath("specs/P-7/notes")] == (try repository.entry(at: "specs/P-7/notes", inTree: after))?.id)
        #expect(folders?.count == 3)

        let reader = try Repository.open(at: path)
        reader.knowFolders(try #require(folders), inTree: after)
        #expect(try reader.file(at: "specs/P-7/context.md", inTree: after, sizeLimit: 100)?.content == .data(Data("changed\n".utf8)))
        #expect(try reader.entries(inFolder: "specs/P-7", ofTree: after)?.map(\.path) == ["specs/P-7/context.md", "specs/P-7/notes"])
        #expect(try reader.entry(at: "specs/P-7/missing.md", inTree: after) == nil)
        #expect(!reader.trees.kept.contains(after) && !reader.trees.kept.contains(specs), "the root and specs were never parsed")
        // Another tree's paths walk from its own root, whatever is known of this one.
        #expect(try reader.file(at: "specs/P-7/context.md", inTree: before, sizeLimit: 100)?.content == .data(Data("7\n".utf8)))
        #expect(try reader.entry(at: "specs/P-8/context.md", inTree: after) == (try repository.entry(at: "specs/P-8/context.md", inTree: after)))
    }
}

/// Hostile trees: folder ids a diff records must be those a walk from the root reaches, byte for byte.
@Suite("Known folders, hostile trees")
struct KnownFoldersHostileTests {
    /// `tree`'s raw bytes for entries (mode, name, id) in the order given, stored as is (`--literally`).
    static func rawTree(_ entries: [(String, String, ObjectID)], sandbox: Sandbox, in path: String) throws -> ObjectID {
        var bytes = Data()
        for (mode, name, id) in entries {
            bytes += Data("\(mode) \(name)\u{0}".utf8)
            bytes += Data(try #require(Self.raw(id.hex)))
        }
        let file = "\(path)/raw-tree"
        try bytes.write(to: URL(fileURLWithPath: file))
        let hex = try sandbox.git(["hash-object", "-w", "-t", "tree", "--literally", file], in: path)
        return try #require(ObjectID(hex: hex.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static func raw(_ hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    /// Every answer through the hints equals a walk's, for `paths` in `tree`.
    static func expectSameAnswers(_ paths: [String], tree: ObjectID, folders: [BytePath: ObjectID], path: String) throws {
        let walker = try Repository.open(at: path), hinted = try Repository.open(at: path)
        hinted.knowFolders(folders, inTree: tree)
        for file in paths {
            #expect(try hinted.entry(at: file, inTree: tree) == (try walker.entry(at: file, inTree: tree)), "\(file)")
            #expect(
                try hinted.entries(inFolder: file, ofTree: tree)?.map(\.id) == (try walker.entries(inFolder: file, ofTree: tree))?.map(\.id),
                "\(file)")
        }
    }

    @Test("a folder whose name ends in a prepend mark (U+0600) is no key for its twin without it")
    func prependTwin() throws {
        let sandbox = try Sandbox()
        let path = try sandbox.folder("prepend.git")
        let repository = try Repository.initBare(at: path)
        let before = try repository.buildTree(base: nil, edits: [.upsert(path: "specs/P-1/context.md", content: Data("real\n".utf8))])
        let after = try repository.buildTree(
            base: before, edits: [.upsert(path: "specs/P-1\u{0600}/context.md", content: Data("forged\n".utf8))])
        var folders: [BytePath: ObjectID]? = [:]
        _ = try repository.diff(from: before, to: after, folders: &folders)
        #expect(folders?[BytePath("specs/P-1")] == nil)
        #expect(folders?[BytePath("specs/P-1\u{0600}")] != nil)
        try Self.expectSameAnswers(
            ["specs/P-1/context.md", "specs/P-1", "specs/P-1\u{0600}/context.md"], tree: after, folders: try #require(folders), path: path)
        let hinted = try Repository.open(at: path)
        hinted.knowFolders(try #require(folders), inTree: after)
        #expect(try hinted.file(at: "specs/P-1/context.md", inTree: after, sizeLimit: 100)?.content == .data(Data("real\n".utf8)))
    }

    @Test("names with a slash, the same name twice and names out of order give no folder a walk would not reach")
    func unreachableEntries() throws {
        let sandbox = try Sandbox()
        let path = try sandbox.folder("hostile.git")
        let repository = try Repository.initBare(at: path)
        let real = try repository.buildTree(base: nil, edits: [.upsert(path: "context.md", content: Data("real\n".utf8))])
        let forged = try repository.buildTree(base: nil, edits: [.upsert(path: "context.md", content: Data("forged\n".utf8))])
        // specs: "P-1" twice (the second forged), "a/b" (a slash in a name), then "P-0" out of order.
        let specs = try Self.rawTree(
            [("40000", "P-1", real), ("40000", "P-1", forged), ("40000", "a/b", forged), ("40000", "P-0", forged)], sandbox: sandbox,
            in: path)
        let root = try Self.rawTree([("40000", "specs", specs)], sandbox: sandbox, in: path)
        var folders: [BytePath: ObjectID]? = [:]
        _ = try repository.diff(from: nil, to: root, folders: &folders)
        let walker = try Repository.open(at: path)
        for (key, id) in try #require(folders) {
            #expect(try walker.entry(at: key.text, inTree: root)?.id == id, "\(key.text)")
        }
        #expect(folders?[BytePath("specs/a/b")] == nil)
        try Self.expectSameAnswers(
            ["specs/P-1/context.md", "specs/P-0/context.md", "specs/a/b/context.md", "specs/P-1", "specs/a/b"], tree: root,
            folders: try #require(folders), path: path)
    }
}
