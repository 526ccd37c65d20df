import Foundation
import Testing

@testable import HandoffCore

/// Issue 11, item 9: evidence must name something that exists and belongs to the packet.
@Suite("Delivery evidence")
struct EvidenceTests {
    /// Commit ids as a repository would answer for them.
    struct Commits: CommitLookup {
        var answers: [String: CommitEvidenceStatus]
        func lookUp(commitPrefix: String) throws -> CommitEvidenceStatus { answers[commitPrefix] ?? .notInHistory }
    }

    static func check(_ note: String, commits: Commits? = nil) throws -> [Finding] {
        var files = PacketTemplate.example()
        for (path, text) in PacketTemplate.example() { files[path.replacingOccurrences(of: "PAY-142", with: "PAY-143")] = text }
        files["specs/PAY-143/delivery/tests/refunds_test.kt"] = "class RefundsTest\n"
        files["specs/PAY-142/delivery/tests/refunds_test.kt"] = "class RefundsTest\n"
        files["src/refunds/Refunds.kt"] = "class Refunds\n"
        files["specs/README.md"] = "# Specs\n"
        files["specs/PAY-143/\u{301}notes.md"] = "the client's notes, a combining mark first\n"
        files["specs/PAY-142/delivery/DELIVERY.md"] = note
        return try DeliveryCheck.check(packetFolder: "specs/PAY-142", criteria: ["AC-1"], in: MemoryTreeView(files), commits: commits)
    }

    @Test(
        "evidence that names a whole folder, another packet's folder or the outside is refused, naming the resolved path",
        arguments: [
            (".", "evidence '.' for AC-1 resolves to specs/PAY-142, a whole folder rather than the evidence in it"),
            ("delivery/..", "evidence 'delivery/..' for AC-1 resolves to specs/PAY-142, a whole folder rather than the evidence in it"),
            ("..", "evidence '..' for AC-1 resolves to specs, a whole folder rather than the evidence in it"),
            ("/", "evidence '/' for AC-1 resolves to the repository root, a whole folder rather than the evidence in it"),
            ("../PAY-143", "evidence '../PAY-143' for AC-1 resolves to specs/PAY-143, inside packet PAY-143's folder, not this packet's"),
            (
                "/specs/PAY-143/delivery/tests/refunds_test.kt",
                "evidence '/specs/PAY-143/delivery/tests/refunds_test.kt' for AC-1 resolves to specs/PAY-143/delivery/tests/refunds_test.kt, inside packet PAY-143's folder, not this packet's"
            ),
            (
                "delivery/tests/gone.kt",
                "evidence 'delivery/tests/gone.kt' for AC-1 resolves to specs/PAY-142/delivery/tests/gone.kt, which does not exist in this commit"
            ),
            ("../../../etc/passwd", "evidence '../../../etc/passwd' for AC-1 climbs out of the repository"),
            // `/` then a combining mark is one Character but a separator to git: still another packet's file.
            (
                "../PAY-143/\u{301}notes.md",
                "evidence '../PAY-143/\u{301}notes.md' for AC-1 resolves to specs/PAY-143/\u{301}notes.md, inside packet PAY-143's folder, not this packet's"
            ),
        ])
    func refusedPaths(_ evidence: String, message: String) throws {
        let findings = try Self.check("- AC-1: \(evidence)\n")
        #expect(findings.map(\.rule) == ["delivery.evidence-not-found"])
        #expect(findings.first?.message == message)
        #expect(findings.first?.line == 1)
    }

    @Test("files of the packet and of the repository outside other packets count")
    func acceptedPaths() throws {
        #expect(
            try Self.check(
                "- AC-1: delivery/tests/refunds_test.kt, /src/refunds/Refunds.kt, ../PAY-142/contracts/openapi.yaml, delivery, ../README.md\n") == [])
    }

    @Test("a commit id counts only when the repository finds it in the submitting commit's history")
    func commitIDs() throws {
        let commits = Commits(answers: ["0123abcd": .inHistory, "deadbeef1": .notInHistory, "abcdef0": .ambiguous])
        #expect(try Self.check("- AC-1: 0123abcd\n", commits: commits) == [])
        let unknown = try Self.check("- AC-1: deadbeef1\n", commits: commits)
        #expect(
            unknown.map(\.message) == ["evidence 'deadbeef1' for AC-1 names commit deadbeef1, which is not in the history of the submitting commit"])
        #expect(unknown.first?.hint.hasPrefix("Push the commit") == true)
        let ambiguous = try Self.check("- AC-1: abcdef0\n", commits: commits)
        #expect(ambiguous.map(\.message) == ["evidence 'abcdef0' for AC-1 names commit abcdef0, an abbreviation several objects share"])
        // Without a repository (a folder on disk) commit ids are taken as written.
        #expect(try Self.check("- AC-1: deadbeef1\n") == [])
    }
}
