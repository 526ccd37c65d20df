import Foundation
import GitTestSupport
import Testing

@testable import Git

/// Every object read is checked against its id (CGit2ODB's backends, with OpenSSL's SHA-1): a stored object
/// swapped for another under the same name is refused, loose or packed, in a repository opened any way.
@Suite("Object verification")
struct ObjectVerificationTests {
    /// A work repository with one commit of `file.txt`, and the ids of that blob and of a second object.
    static func repository(_ sandbox: Sandbox) throws -> (path: String, blob: ObjectID, other: ObjectID) {
        let work = try sandbox.workRepository()
        try sandbox.write("agreed wording\n", to: "file.txt", in: work)
        _ = try sandbox.commitAll("Add file", in: work)
        let blob = try sandbox.git(["rev-parse", "HEAD:file.txt"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        let other = try sandbox.git(["hash-object", "-w", "--stdin"], in: work, input: "forged wording\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (work, ObjectID(hex: blob)!, ObjectID(hex: other)!)
    }

    /// The loose object file of `id` in `work`.
    static func loose(_ id: ObjectID, in work: String) -> String {
        "\(work)/.git/objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))"
    }

    @Test("a loose object whose bytes are another object's is refused as a hash mismatch; an intact one reads")
    func swappedLoose() throws {
        let sandbox = try Sandbox()
        let (work, blob, other) = try Self.repository(sandbox)
        #expect(try Repository.open(at: work).blob(blob, sizeLimit: 1 << 20) == .data(Data("agreed wording\n".utf8)))
        let path = Self.loose(blob, in: work)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data(contentsOf: URL(fileURLWithPath: Self.loose(other, in: work))).write(to: URL(fileURLWithPath: path))
        let repository = try Repository.open(at: work)
        #expect(try repository.blob(other, sizeLimit: 1 << 20) == .data(Data("forged wording\n".utf8)))
        let error = #expect(throws: GitError.self) { try repository.blob(blob, sizeLimit: 1 << 20) }
        #expect(error?.code == .hashMismatch, "\(String(describing: error))")
        // git agrees that the object store is corrupt.
        #expect(try sandbox.gitResult(["fsck", "--no-dangling"], in: work).status != 0)
    }

    @Test("packed objects, and objects reached through an alternate, read and are checked")
    func packedAndAlternates() throws {
        let sandbox = try Sandbox()
        let (work, blob, _) = try Self.repository(sandbox)
        _ = try sandbox.git(["gc", "-q"], in: work)
        let borrower = try sandbox.folder("borrower.git")
        _ = try sandbox.git(["init", "-q", "--bare"], in: borrower)
        try "\(work)/.git/objects\n".write(toFile: "\(borrower)/objects/info/alternates", atomically: true, encoding: .utf8)
        let repository = try Repository.open(at: borrower)
        #expect(try repository.blob(blob, sizeLimit: 1 << 20) == .data(Data("agreed wording\n".utf8)))
        // New objects still go to the repository's own store, not the alternate's.
        let written = try repository.writeBlob(Data("written through the borrower\n".utf8))
        #expect(FileManager.default.fileExists(atPath: "\(borrower)/objects/\(written.hex.prefix(2))/\(written.hex.dropFirst(2))"))
        #expect(!FileManager.default.fileExists(atPath: Self.loose(written, in: work)))
    }

    @Test("the check itself: an object's bytes and type hash to its id, and nothing else does")
    func matches() throws {
        let sandbox = try Sandbox()
        let (work, blob, _) = try Self.repository(sandbox)
        _ = work
        #expect(ObjectVerification.matches(blob, type: .blob, data: Data("agreed wording\n".utf8)))
        #expect(!ObjectVerification.matches(blob, type: .blob, data: Data("agreed wording!\n".utf8)))
        #expect(!ObjectVerification.matches(blob, type: .tree, data: Data("agreed wording\n".utf8)))
        let empty = ObjectID(hex: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")!
        #expect(ObjectVerification.matches(empty, type: .blob, data: Data()))
    }

    @Test("a tree of 64 KiB or more is written stored: git reads and fscks it, and it reads back checked")
    func largeTreeStored() throws {
        let sandbox = try Sandbox()
        let path = try sandbox.folder("stored.git")
        let repository = try Repository.initBare(at: path)
        // 3,000 entries of about 30 bytes: some 90 KB of names and binary ids.
        let large = try repository.buildTree(base: nil, edits: (0..<3_000).map { .upsert(path: "packet-\($0)", content: Data("\($0)\n".utf8)) })
        let small = try repository.buildTree(base: nil, edits: [.upsert(path: "one", content: Data(repeating: UInt8(ascii: "a"), count: 100_000))])
        let size = Int(try sandbox.git(["cat-file", "-s", large.hex], in: path).trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(size > 64 * 1024)
        let stored = try FileManager.default.attributesOfItem(atPath: Self.loose(large, in: path).replacingOccurrences(of: "/.git/", with: "/"))
        #expect((stored[.size] as? Int ?? 0) > size, "stored, not deflated")
        #expect((stored[.posixPermissions] as? Int) == 0o444)
        #expect(try sandbox.git(["cat-file", "-t", large.hex], in: path).hasPrefix("tree"))
        #expect(try sandbox.gitResult(["fsck", "--strict", "--no-dangling"], in: path).status == 0)
        // A small tree, and blobs, stay deflated as libgit2 writes them.
        let blob = try sandbox.git(["rev-parse", "\(small.hex):one"], in: path).trimmingCharacters(in: .whitespacesAndNewlines)
        let compressed = try FileManager.default.attributesOfItem(
            atPath: Self.loose(ObjectID(hex: blob)!, in: path).replacingOccurrences(of: "/.git/", with: "/"))
        #expect((compressed[.size] as? Int ?? .max) < 10_000)
        let reopened = try Repository.open(at: path)
        #expect(try reopened.entries(inFolder: "", ofTree: large)?.count == 3_000)
        // A second write of the same tree finds it there.
        #expect(try repository.buildTree(base: nil, edits: (0..<3_000).map { .upsert(path: "packet-\($0)", content: Data("\($0)\n".utf8)) }) == large)
    }

    @Test("a large loose object of stored blocks reads from them; swapped, cut short or mislabelled it is refused as libgit2 refuses it")
    func storedReads() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        let content = String(repeating: "a line of a large file\n", count: 4_000)
        // git writes it stored with core.looseCompression 0, deflated otherwise: both read alike.
        let stored = try sandbox.git(["-c", "core.looseCompression=0", "hash-object", "-w", "--stdin"], in: work, input: content)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let deflated = try sandbox.git(["hash-object", "-w", "--stdin"], in: work, input: content + "and one more\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let storedID = ObjectID(hex: stored)!, deflatedID = ObjectID(hex: deflated)!
        let storedPath = Self.loose(storedID, in: work)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: storedPath))
        #expect(bytes.count > content.utf8.count, "stored, not deflated")
        #expect(try Repository.open(at: work).blob(storedID, sizeLimit: 1 << 20) == .data(Data(content.utf8)))
        #expect(try Repository.open(at: work).blob(deflatedID, sizeLimit: 1 << 20) == .data(Data((content + "and one more\n").utf8)))

        /// The error reading the object after its file was replaced with `data`, if any.
        func replaced(with data: Data) throws -> GitError? {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: storedPath)
            try data.write(to: URL(fileURLWithPath: storedPath))
            let repository = try Repository.open(at: work)
            do {
                _ = try repository.blob(storedID, sizeLimit: 1 << 20)
                return nil
            } catch {
                return error
            }
        }
        // Another large object's stored bytes under this name: read from the blocks, then refused by the hash.
        let other = try sandbox.git(["-c", "core.looseCompression=0", "hash-object", "-w", "--stdin"], in: work, input: content + "x")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try replaced(with: Data(contentsOf: URL(fileURLWithPath: Self.loose(ObjectID(hex: other)!, in: work))))?.code == .hashMismatch)
        // Cut short, or a length in the header that the bytes do not have: libgit2's reader says what is wrong.
        #expect(try replaced(with: bytes.prefix(bytes.count - 100)) != nil)
        var mislabelled = bytes
        // zlib's header (2 bytes), the first block's (5), "blob ", then "96000".
        #expect(mislabelled[12] == UInt8(ascii: "9"))
        mislabelled[12] = UInt8(ascii: "8")
        #expect(try replaced(with: mislabelled) != nil)
        // Restored, it reads again.
        #expect(try replaced(with: bytes) == nil)
    }
}
