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

    /// A clone of a repository whose packet records a submodule: cloned without it, the submodule is an
    /// empty folder on disk, and only the index says what it is.
    static func cloneWithSubmodule(_ sandbox: Sandbox) throws -> String {
        let upstream = try sandbox.workRepository("upstream")
        for (path, text) in PacketTemplate.example() { try sandbox.write(text, to: path, in: upstream) }
        try sandbox.git(["add", "-A"], in: upstream)
        try sandbox.git(
            ["update-index", "--add", "--cacheinfo", "160000,0123456789abcdef0123456789abcdef01234567,specs/PAY-142/vendor"], in: upstream)
        try sandbox.commit("A packet with a submodule", in: upstream)
        try sandbox.git(["clone", "-q", upstream, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        var isFolder: ObjCBool = false
        try #require(FileManager.default.fileExists(atPath: "\(clone)/specs/PAY-142/vendor", isDirectory: &isFolder) && isFolder.boolValue)
        try #require(try FileManager.default.contentsOfDirectory(atPath: "\(clone)/specs/PAY-142/vendor").isEmpty)
        return clone
    }

    @Test("an unpopulated submodule is a submodule in the working folder too: folder and commit give the same report")
    func unpopulatedSubmodule() throws {
        let sandbox = try Sandbox()
        let clone = try Self.cloneWithSubmodule(sandbox)
        let repository = try Repository.open(at: clone)
        #expect(try repository.indexedSubmodulePaths() == ["specs/PAY-142/vendor"])
        let tip = try #require(try repository.referenceTarget("refs/heads/main"))
        let checker = PacketChecker()
        let fromGit = try checker.check(PacketID("PAY-142")!, in: GitTreeView(repository: repository, commit: tip))
        #expect(fromGit.findings.map(\.rule).contains("packet.unsupported-entry"))
        #expect(try checker.check(PacketID("PAY-142")!, in: DirectoryTreeView.workTree(at: clone)) == fromGit)
        // From a folder inside the work tree, the index's paths are taken relative to it.
        let inner = DirectoryTreeView.workTree(at: "\(clone)/specs")
        #expect(inner.submodules == ["PAY-142/vendor"])
        #expect(try inner.entry(at: "PAY-142/vendor")?.kind == .submodule)
        // Outside any work tree an empty folder is only a folder.
        #expect(try DirectoryTreeView.workTree(at: sandbox.root).entry(at: "clone/specs/PAY-142/vendor")?.kind == .folder)
    }

    @Test(
        "handoff validate on the folder and on its commit agree that a packet with a submodule is not ready",
        .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
    func validateAgreesOnSubmodules() throws {
        let sandbox = try Sandbox()
        let clone = try Self.cloneWithSubmodule(sandbox)
        let folder = try runProcess(CLITests.handoff, ["validate", "specs/PAY-142"], in: clone, environment: sandbox.environment)
        let commit = try runProcess(CLITests.handoff, ["validate", "--rev", "HEAD", "specs/PAY-142"], in: clone, environment: sandbox.environment)
        #expect(commit.status == 1, "\(commit.stdout)")
        #expect(folder.status == commit.status, "\(folder.stdout)")
        #expect(folder.stdout.contains("vendor is a submodule"), "\(folder.stdout)")
    }
}
