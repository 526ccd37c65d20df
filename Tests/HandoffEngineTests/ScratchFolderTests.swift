import Foundation
import GitTestSupport
import HandoffCore
import HandoffEngine
import HandoffSystem
import Testing

/// Issue 11, item 9: ssh-keygen's temporary files live in the state directory and are swept at start.
@Suite("Scratch files", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct ScratchFolderTests {
    /// The id of a process that has exited (and been reaped).
    static func deadPID() throws -> pid_t {
        let child = try ChildProcess("/bin/true", [])
        _ = child.wait()
        return child.pid
    }

    @Test("signing and verifying leave nothing behind, and their files never go to /tmp")
    func signingUsesTheStateDirectory() throws {
        let sandbox = try Sandbox()
        let state = "\(sandbox.root)/state"
        let key = try CommitSigningKey.generate(at: "\(state)/handoffd_ed25519", principal: "handoffd@acme.example", stateDirectory: state)
        #expect(key.scratchDirectory == "\(state)/tmp")
        let signature = try key.sign("tree 0000\n\npayload\n")
        let trusted = TrustedKeys([key.publicKey])
        #expect(trusted.verdict(signature: signature, payload: Data("tree 0000\n\npayload\n".utf8)) == .genuine)
        #expect(trusted.verdict(signature: signature, payload: Data("tree 0000\n\ntampered\n".utf8)) == .forged)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(state)/tmp") == [])
    }

    @Test("handoffd removes the scratch folders of dead processes at start, and keeps those of live ones")
    func sweptAtStart() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let bare = "\(sandbox.root)/specs.git"
        try sandbox.git(["init", "-q", "--bare", "-b", "main", bare], in: sandbox.root)
        let state = "\(sandbox.root)/state"
        let config = "\(sandbox.root)/handoffd.yaml"
        try Data(DemoRepository.configuration(repository: bare, stateDirectory: state).utf8).write(to: URL(fileURLWithPath: config))
        let scratch = ScratchFolder.base(inStateDirectory: state)
        let abandoned = "\(scratch)/\(try Self.deadPID())-a1b2c3", live = "\(scratch)/\(getpid())-d4e5f6", foreign = "\(scratch)/notes"
        for folder in [abandoned, live, foreign] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data("-----BEGIN SSH SIGNATURE-----\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/file-signature"))
        }
        let once = try runProcess(CLITests.handoffd, ["--config", config, "--once"])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(once.stderr.contains("removed 1 scratch folder(s)"), "\(once.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch).sorted()
        #expect(left == [live, foreign].map { String($0.split(separator: "/").last!) }.sorted())
    }
}
