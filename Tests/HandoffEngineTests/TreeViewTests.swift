import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// The same packet checked from a git tree and from a folder on disk gives the same findings.
@Suite("Tree views over git and disk")
struct TreeViewTests {
    /// A clone whose packet holds good files, an executable, a symlink, a binary delivery note and a short context.
    static func prepare(_ sandbox: Sandbox) throws -> String {
        let work = try sandbox.workRepository()
        for (path, text) in PacketTemplate.example() {
            try sandbox.write(text, to: path, in: work)
        }
        try sandbox.write("#!/bin/sh\nexit 0\n", to: "specs/PAY-142/contracts/check.sh", in: work)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(work)/specs/PAY-142/contracts/check.sh")
        try FileManager.default.createSymbolicLink(
            atPath: "\(work)/specs/PAY-142/contracts/shared.yaml",
            withDestinationPath: "../../../README.md")
        try sandbox.write("## Background\n", to: "specs/PAY-142/context.md", in: work)
        try FileManager.default.createDirectory(atPath: "\(work)/specs/PAY-142/delivery", withIntermediateDirectories: true)
        try Data([0x23, 0x20, 0x00, 0x01]).write(to: URL(fileURLWithPath: "\(work)/specs/PAY-142/delivery/DELIVERY.md"))
        try sandbox.write("id: X\n", to: "specs/not an id/handoff.yaml", in: work)
        try sandbox.write("# Specs\n", to: "README.md", in: work)
        try sandbox.commitAll("packets", in: work)
        return work
    }

    @Test("git tree and working folder give identical reports, hostile entries included")
    func identicalReports() throws {
        let sandbox = try Sandbox()
        let work = try Self.prepare(sandbox)
        let repository = try Repository.open(at: work)
        let tip = try #require(try repository.referenceTarget("refs/heads/main"))
        let gitView = try GitTreeView(repository: repository, commit: tip)
        let diskView = DirectoryTreeView(root: work)
        let checker = PacketChecker()

        let gitIDs = try checker.packetIDs(in: gitView)
        let diskIDs = try checker.packetIDs(in: diskView)
        #expect(gitIDs.ids == diskIDs.ids)
        #expect(gitIDs.findings == diskIDs.findings)
        #expect(gitIDs.findings.map(\.rule) == ["packet.invalid-id"])

        let fromGit = try checker.checkAll(in: gitView)
        let fromDisk = try checker.checkAll(in: diskView)
        #expect(fromGit == fromDisk)
        let report = try #require(fromGit.first)
        // delivery/ is not part of readiness: its binary note is not read here.
        #expect(
            Set(report.findings.map(\.rule)) == [
                "packet.unsupported-entry", "contracts.unknown-format",
                "context.section-missing", "context.section-empty",
            ])
        #expect(try gitView.entry(at: "specs/PAY-142/contracts/check.sh")?.kind == .executable)
        #expect(try diskView.entry(at: "specs/PAY-142/contracts/check.sh")?.kind == .executable)
        #expect(try diskView.read("../etc/passwd", limit: 10) == .missing)
        #expect(try gitView.read("specs/PAY-142/contracts/shared.yaml", limit: 10) == .notAFile(.symlink))
        #expect(try diskView.read("specs/PAY-142/contracts/shared.yaml", limit: 10) == .notAFile(.symlink))
        let size = try #require(PacketTemplate.example()["specs/PAY-142/handoff.yaml"]).utf8.count
        #expect(try gitView.read("specs/PAY-142/handoff.yaml", limit: 10) == .tooLarge(size: size))
        #expect(try diskView.read("specs/PAY-142/handoff.yaml", limit: 10) == .tooLarge(size: size))
    }
}
