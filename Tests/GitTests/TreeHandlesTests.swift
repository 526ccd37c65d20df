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
