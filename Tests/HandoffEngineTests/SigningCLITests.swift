import Foundation
import GitTestSupport
import HandoffEngine
import Testing

/// The README's walk-through of signed identities, through the built binaries, the real hook and git.
@Suite("Signed identities from the command line")
struct SigningCLITests {
    @Test(
        "demo in signature mode: signing setup, a signed claim through the hook, an unsigned push refused, git agrees on the signer",
        .enabled(if: CLITests.built, "run `swift build` first"))
    func demoWalkThrough() throws {
        let sandbox = try Sandbox()
        let created = try runProcess(CLITests.handoff, ["demo", sandbox.root, "--status-branch", "off"])
        try #require(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("handoff signing setup --key \(sandbox.root)/keys/dev_ed25519 --apply"))
        let config = "\(sandbox.root)/handoffd.yaml"
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("participant_identity: signature"))
        let bare = "\(sandbox.root)/specs.git"
        let once = try runProcess(CLITests.handoffd, ["--config", config, "--once"])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(!once.stderr.contains("author lines"), "no author-line warning in signature mode")
        let clone = "\(sandbox.root)/dev"
        try sandbox.git(["clone", "-q", bare, clone], in: sandbox.root)
        try sandbox.git(["config", "user.email", "dev@contractors.example"], in: clone)
        // Each demo commit is signed by its author's listed key, as git itself verifies.
        let signers = "\(sandbox.root)/keys/allowed_signers"
        let shown = try sandbox.git(["-c", "gpg.ssh.allowedSignersFile=\(signers)", "log", "--format=%G? %GS %ae", "main"], in: clone)
        let participants = shown.split(separator: "\n").filter { !$0.hasSuffix(" handoffd@acme.example") }
        #expect(participants.count == 3 && participants.allSatisfy { $0.hasPrefix("G ") }, "\(shown)")

        let setup = try runProcess(CLITests.handoff, ["signing", "setup", "--key", "\(sandbox.root)/keys/dev_ed25519", "--apply"], in: clone)
        #expect(setup.status == 0, "\(setup.stderr)")
        #expect(setup.stdout.contains("dev@contractors.example namespaces=\"git\" ssh-ed25519 "))
        #expect(try sandbox.git(["config", "commit.gpgsign"], in: clone) == "true")
        let claim = try runProcess(CLITests.handoff, ["claim", "PAY-142", "-m", "starting today"], in: clone, environment: sandbox.environment)
        #expect(claim.status == 0, "\(claim.stderr)")
        #expect(
            try sandbox.git(["-c", "gpg.ssh.allowedSignersFile=\(signers)", "log", "-1", "--format=%G? %GS"], in: clone)
                == "G dev@contractors.example")
        try sandbox.git(["push", "-q", "origin", "main"], in: clone)
        #expect(try runProcess(CLITests.handoffd, ["--config", config, "--once"]).status == 0)
        #expect(try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: bare).contains("state: in_progress"))

        // The same person without a signature: the hook refuses, saying why and what to do.
        try sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: clone)
        try sandbox.git(
            ["-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "Unclaim\n\nHandoff: unclaim PAY-142"], in: clone,
            env: ["GIT_AUTHOR_EMAIL": "dev@contractors.example", "GIT_COMMITTER_EMAIL": "dev@contractors.example"])
        let refused = try runProcess("/usr/bin/git", ["push", "origin", "main"], in: clone, environment: sandbox.environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("no verified identity: the commit is not signed"), "\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "granted in .handoff/policy.yaml, see docs/policy.md; only the operators of this repository change it: ops@acme.example"))
        let replay = try runProcess(CLITests.handoff, ["replay", "--config", config, "--check"])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")

        // A commit that only claims to be handoffd's status (its trailer, no signature) does not make the
        // clone's status look current once handoffd's key is trusted here.
        try sandbox.git(["reset", "-q", "--hard", "origin/main"], in: clone)
        let tip = try sandbox.git(["rev-parse", "HEAD"], in: clone)
        try sandbox.git(["-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "status\n\nHandoff-Processed: \(tip)"], in: clone)
        let trusting = try runProcess(CLITests.handoff, ["status", "PAY-142"], in: clone, environment: sandbox.environment)
        #expect(!trusting.stderr.contains("not processed"), "told by the trailer alone, as before: \(trusting.stderr)")
        let line = try runProcess(CLITests.handoffd, ["key", "show", "--config", config]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.stdout.contains("git config handoff.trustedKeys \"\(line.split(separator: " ").prefix(2).joined(separator: " "))\""))
        try sandbox.git(["config", "handoff.trustedKeys", line], in: clone)
        let verified = try runProcess(CLITests.handoff, ["status", "PAY-142"], in: clone, environment: sandbox.environment)
        #expect(verified.stderr.contains("1 commit(s) on main are not processed by handoffd yet"), "\(verified.stderr)")
    }

    @Test(
        "signing setup prints the three settings and the allowed_signers line; without a key it says how to make one",
        .enabled(if: CLITests.built, "run `swift build` first"))
    func setupPrints() throws {
        let sandbox = try Sandbox()
        let clone = try sandbox.workRepository()
        try sandbox.git(["config", "user.email", "bo@acme.example"], in: clone)
        let key = try SSHKeygen.generate(at: "\(sandbox.root)/k", comment: "bo", scratch: "\(sandbox.root)/tmp")
        let printed = try runProcess(
            CLITests.handoff, ["signing", "setup", "--key", "\(sandbox.root)/k"], in: clone, environment: sandbox.environment)
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("git config gpg.format 'ssh'"))
        #expect(printed.stdout.contains("git config user.signingkey '\(sandbox.root)/k.pub'"))
        #expect(printed.stdout.contains("git config commit.gpgsign 'true'"))
        #expect(printed.stdout.contains("bo@acme.example namespaces=\"git\" \(key.line)"))
        #expect((try? sandbox.git(["config", "commit.gpgsign"], in: clone)) == nil, "printing writes nothing")
        let missing = try runProcess(
            CLITests.handoff, ["signing", "setup", "--key", "\(sandbox.root)/nope"], in: clone, environment: sandbox.environment)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("ssh-keygen -t ed25519 -f \(sandbox.root)/nope"))
    }
}

/// Issue 15, item 3: a packet folder without a manifest is that packet, missing its manifest, however it is named.
@Suite("Validate a packet folder without a manifest")
struct ManifestMissingTests {
    @Test(
        "handoff validate on the folder, and at a revision, reports manifest.missing (exit 1), not 'no packets' (exit 2)",
        .enabled(if: CLITests.built, "run `swift build` first"))
    func manifestMissing() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        try sandbox.write("# PAY-9\n", to: "specs/PAY-9/context.md", in: work)
        try sandbox.commitAll("PAY-9 without a manifest", in: work)
        for extra in [[], ["--rev", "HEAD"]] {
            let checked = try runProcess(
                CLITests.handoff, ["validate", "specs/PAY-9", "--format", "json"] + extra, in: work, environment: sandbox.environment)
            #expect(checked.status == 1, "\(checked.stderr)")
            #expect(checked.stdout.contains("\"rule\" : \"manifest.missing\""), "\(checked.stdout)")
        }
        try FileManager.default.createDirectory(atPath: "\(work)/notes", withIntermediateDirectories: true)
        #expect(try runProcess(CLITests.handoff, ["validate", "notes"], in: work, environment: sandbox.environment).status == 2)
    }
}
