import Foundation
import GitTestSupport
import Testing

@testable import HandoffDaemon

@Suite("Stale reference locks")
struct StaleLockTests {
    @Test("only locks older than the limit are removed, for the named references and packed-refs")
    func clearing() throws {
        let sandbox = try Sandbox()
        let folder = try sandbox.folder("repo.git")
        try FileManager.default.createDirectory(atPath: "\(folder)/refs/heads", withIntermediateDirectories: true)
        for name in ["refs/heads/main.lock", "refs/heads/other.lock", "packed-refs.lock"] {
            _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data())
        }
        let now = Date()
        #expect(StaleLocks.clear(in: folder, references: ["refs/heads/main"], now: now).isEmpty, "fresh locks stay")
        let removed = StaleLocks.clear(in: folder, references: ["refs/heads/main"], now: now.addingTimeInterval(120))
        #expect(removed.map(\.path).sorted() == ["\(folder)/packed-refs.lock", "\(folder)/refs/heads/main.lock"])
        #expect(FileManager.default.fileExists(atPath: "\(folder)/refs/heads/other.lock"), "locks of other references stay")
    }
}
