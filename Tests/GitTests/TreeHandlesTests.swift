import Foundation
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
