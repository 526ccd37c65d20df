import Foundation
import GitTestSupport
import Testing

@testable import Git

/// Commit signatures: extracted exactly as git signs them, and written so that git verifies them.
@Suite("Commit signatures")
struct SignatureTests {
    /// An ed25519 key pair and an allowed_signers file naming `principal`.
    struct SSHKey {
        let privateKey: String
        let allowedSigners: String
        let principal = "ana@client.example"

        init(_ sandbox: Sandbox) throws {
            privateKey = "\(sandbox.root)/id_ed25519"
            let generated = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", privateKey])
            guard generated.status == 0 else { throw CommandFailed(command: ["ssh-keygen"], result: generated) }
            let publicKey = try String(contentsOfFile: privateKey + ".pub", encoding: .utf8)
            allowedSigners = "\(sandbox.root)/allowed_signers"
            try Data("\(principal) \(publicKey)".utf8).write(to: URL(fileURLWithPath: allowedSigners))
        }

        /// Signs `payload` in the `git` namespace, as git's ssh signing does.
        func sign(_ payload: String) throws -> String {
            let result = try runProcess(
                "/usr/bin/ssh-keygen", ["-Y", "sign", "-q", "-f", privateKey, "-n", "git"],
                input: Data(payload.utf8))
            guard result.status == 0 else { throw CommandFailed(command: ["ssh-keygen", "-Y", "sign"], result: result) }
            return result.stdout
        }

        /// True when `ssh-keygen -Y verify` accepts `signature` over `payload` by the principal.
        func verify(_ signature: String, payload: Data, in folder: String) throws -> Bool {
            let signatureFile = "\(folder)/sig-\(UUID().uuidString)"
            try Data(signature.utf8).write(to: URL(fileURLWithPath: signatureFile))
            let result = try runProcess(
                "/usr/bin/ssh-keygen",
                [
                    "-Y", "verify", "-f", allowedSigners, "-I", principal,
                    "-n", "git", "-s", signatureFile,
                ], input: payload)
            return result.status == 0
        }
    }

    static let sshAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")

    @Test(
        "a commit signed by git -S with an SSH key yields the signature and payload ssh-keygen verifies",
        .enabled(if: sshAvailable, "needs ssh-keygen (openssh-client)"))
    func extractGitSignature() throws {
        let sandbox = try Sandbox()
        let key = try SSHKey(sandbox)
        let work = try sandbox.workRepository()
        try sandbox.write("a\n", to: "a.txt", in: work)
        let unsigned = try sandbox.commitAll("unsigned", in: work)
        try sandbox.write("b\n", to: "b.txt", in: work)
        try sandbox.git(["add", "-A"], in: work)
        try sandbox.git(
            [
                "-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.privateKey)", "commit", "-q", "-S", "-m",
                "signed\n\nHandoff: claim PAY-1",
            ], in: work)
        let signed = ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work))
        let repository = try Repository.open(at: work)

        #expect(try repository.signature(ofCommit: ObjectID(unsigned)) == nil)
        let signature = try #require(try repository.signature(ofCommit: signed))
        #expect(signature.isSSH)
        let payload = String(decoding: signature.signedPayload, as: UTF8.self)
        #expect(payload.contains("\nsigned\n\nHandoff: claim PAY-1\n"))
        #expect(!payload.contains("gpgsig"))
        #expect(try key.verify(signature.signature, payload: signature.signedPayload, in: sandbox.root))
        #expect(try !key.verify(signature.signature, payload: signature.signedPayload + Data("tampered".utf8), in: sandbox.root))
        #expect(throws: GitError.self) { try repository.signature(ofCommit: ObjectID.zero) }
    }

    @Test(
        "the signed payload is the commit's bytes: a message that is not UTF-8 verifies as signed, and one byte changed does not",
        .enabled(if: sshAvailable, "needs ssh-keygen (openssh-client)"))
    func payloadBytes() throws {
        let sandbox = try Sandbox()
        let key = try SSHKey(sandbox)
        let work = "\(sandbox.root)/work"
        try sandbox.git(["init", "-q", "-b", "main", work], in: sandbox.root)
        let message = "\(sandbox.root)/message"
        try Data("Latin-1 ".utf8 + [0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: message))
        try sandbox.git(
            [
                "-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.privateKey)", "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q",
                "--allow-empty", "-S", "-F", message,
            ], in: work)
        let signed = ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work))
        let signature = try #require(try Repository.open(at: work).signature(ofCommit: signed))
        // Decoded as text, 0xE9 became U+FFFD: the payload then matched neither the commit nor its signature.
        #expect(signature.signedPayload.contains(0xE9))
        #expect(try key.verify(signature.signature, payload: signature.signedPayload, in: sandbox.root))
        var altered = signature.signedPayload
        altered[altered.firstIndex(of: 0xE9)!] = 0xFF
        #expect(try !key.verify(signature.signature, payload: altered, in: sandbox.root))
    }

    @Test(
        "a commit the layer signs is verified by git verify-commit and git log --show-signature",
        .enabled(if: sshAvailable, "needs ssh-keygen (openssh-client)"))
    func signedCreation() throws {
        let sandbox = try Sandbox()
        let key = try SSHKey(sandbox)
        let bare = "\(sandbox.root)/bare.git"
        let repository = try Repository.initBare(at: bare)
        let me = Signature(name: "handoffd", email: "handoffd@acme.example", time: GitTime(seconds: 1_795_000_000, offsetMinutes: 0))
        let tree = try repository.buildTree(base: nil, edits: [.upsert(path: ".handoff/board.md", content: Data("# Board\n".utf8))])
        let commit = try repository.createCommit(
            tree: tree, parents: [], author: me, committer: me,
            message: "Status\n\nHandoff-Processed: \(ObjectID.emptyTree.hex)",
            signer: key.sign)
        try repository.updateReference("refs/heads/main", to: commit, expecting: nil, logMessage: "status")
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
        let config = ["-c", "gpg.ssh.allowedSignersFile=\(key.allowedSigners)"]
        try sandbox.git(config + ["verify-commit", commit.hex], in: bare)
        let log = try sandbox.gitResult(config + ["log", "--show-signature", "-1", "main"], in: bare)
        #expect(log.stdout.contains("Good \"git\" signature for \(key.principal)"))
        let extracted = try #require(try repository.signature(ofCommit: commit))
        #expect(try key.verify(extracted.signature, payload: extracted.signedPayload, in: sandbox.root))
        #expect(try repository.commit(commit).trailers == [Trailer(key: "Handoff-Processed", value: ObjectID.emptyTree.hex)])
    }
}
