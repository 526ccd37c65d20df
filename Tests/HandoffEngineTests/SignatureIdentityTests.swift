import Foundation
import Git
import GitTestSupport
import HandoffCore
import Testing

@testable import HandoffEngine

/// Issue 11, item 2: under `participant_identity: signature` a commit is whoever its verified SSH signature
/// says, looked up in `allowed_signers`; an unsigned, unlisted, impersonating or altered commit changes nothing.
@Suite("Identity from signatures", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct SignatureIdentityTests {
    static let people = ["ops": "ops@acme.example", "ana": "ana@acme.example", "dev": "dev@contractors.example", "rita": "rita@acme.example"]

    /// One clone whose commits carry any author line and any (or no) signature, folded by the engine in
    /// signature mode. Keys: one per person, listed in allowed_signers, and mallory's, listed nowhere.
    final class World {
        let sandbox: Sandbox
        let keys: String
        let allowedSigners: String
        let work: String
        let settings: EngineSettings

        init(_ name: String = #function) throws {
            sandbox = try Sandbox(name)
            keys = try sandbox.folder("keys")
            var lines = ""
            for short in (Array(SignatureIdentityTests.people.keys) + ["mallory"]).sorted() {
                let email = SignatureIdentityTests.people[short] ?? "mallory@evil.example"
                let key = try SSHKeygen.generate(at: "\(keys)/\(short)", comment: email, scratch: "\(keys)/tmp")
                if short != "mallory" { lines += "\(email) namespaces=\"git\" \(key.line)\n" }
            }
            allowedSigners = "\(keys)/allowed_signers"
            try Data(lines.utf8).write(to: URL(fileURLWithPath: allowedSigners))
            let state = "\(sandbox.root)/state"
            let key = try CommitSigningKey.generate(at: "\(state)/handoffd_ed25519", principal: "handoffd@acme.example", stateDirectory: state)
            var settings = EngineSettings(operators: [SignatureIdentityTests.people["ops"]!], email: "handoffd@acme.example", signingKey: key)
            settings.identityMode = .signature(allowedSigners: allowedSigners)
            self.settings = settings
            work = try sandbox.workRepository()
        }

        /// How a commit is signed.
        enum Signing: CustomStringConvertible {
            /// By the author's own listed key.
            case own
            /// Not at all.
            case unsigned
            /// By the key of `short` (another participant's, or mallory's), whatever the author line says.
            case key(String)

            var description: String {
                switch self {
                case .own: "own key"
                case .unsigned: "unsigned"
                case .key(let short): "\(short)'s key"
                }
            }
        }

        /// Commits everything in the work tree as `person`, signed as `signing`; returns the commit id.
        @discardableResult
        func commit(_ person: String, _ message: String, signing: Signing) throws -> String {
            let email = SignatureIdentityTests.people[person]!
            let options: [String] =
                switch signing {
                case .own: ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys)/\(person)", "-c", "commit.gpgsign=true"]
                case .unsigned: ["-c", "commit.gpgsign=false"]
                case .key(let short): ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys)/\(short)", "-c", "commit.gpgsign=true"]
                }
            try sandbox.git(["add", "-A"], in: work)
            let identity = [
                "GIT_AUTHOR_NAME": person, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": person, "GIT_COMMITTER_EMAIL": email,
            ]
            try sandbox.git(options + ["commit", "-q", "--allow-empty", "-m", message], in: work, env: identity)
            return try sandbox.git(["rev-parse", "HEAD"], in: work)
        }

        /// A copy of signed commit `id` with `edit` applied to its text and the signature kept: it no longer verifies.
        func tampered(_ id: String, _ edit: (String) -> String) throws -> String {
            let raw = try runProcess("/usr/bin/git", ["cat-file", "commit", id], in: work, environment: sandbox.environment).stdout
            let altered = edit(raw)
            #expect(altered != raw, "the edit changed nothing")
            return try sandbox.git(["hash-object", "-t", "commit", "-w", "--stdin"], in: work, input: altered)
        }

        /// The state the engine folds from the first commit up to `commit`.
        func state(at commit: String) throws -> WorkflowState {
            var state = WorkflowState()
            let repository = try Repository.open(at: work)
            _ = try RepositoryProcessor(settings: settings).foldStep.fold(
                repository, from: nil, to: ObjectID(hex: commit)!, state: &state, loader: nil)
            return state
        }

        func reset(to commit: String) throws {
            try sandbox.git(["reset", "-q", "--hard", commit], in: work)
        }
    }

    /// What a commit may change: the policy in force and each packet's workflow fields (history aside).
    struct Standing: Equatable {
        var policy: Policy
        var packets: [PacketID: [String]]

        init(_ state: WorkflowState) {
            policy = state.policy
            packets = state.packets.mapValues { status in
                [
                    status.state.rawValue, status.assignee ?? "-", status.reviewers.joined(separator: ","), "\(status.round)",
                    "\(status.blocked)", status.specRevision,
                ]
            }
        }
    }

    static let policy = """
        packet_root: specs
        roles:
          client: ["*@acme.example"]
          contractor: ["*@contractors.example"]
          reviewer: ["rita@acme.example"]

        """

    @Test("AC-2: no action, spec, delivery or policy change by an unsigned, unlisted, impersonating or altered commit changes any state")
    func matrix() throws {
        let world = try World()
        var packet = PacketTemplate.example()
        packet["specs/PAY-142/handoff.yaml"] = packet["specs/PAY-142/handoff.yaml"]!.replacingOccurrences(
            of: "ana@acme.example", with: "rita@acme.example")
        let delivery = { (world: World) throws in
            let commit = try world.sandbox.git(["rev-parse", "--short", "HEAD"], in: world.work)
            try world.sandbox.write(
                "- AC-1: contracts/openapi.yaml\n- AC-2: https://ci.example/1\n- AC-3: \(commit)\n", to: "specs/PAY-142/delivery/DELIVERY.md",
                in: world.work)
        }
        // Each step is a legitimate commit by `person`; `impostor` holds a listed key without the role the step needs.
        let steps: [(person: String, message: String, impostor: String, change: (World) throws -> Void, expect: (WorkflowState) -> Bool)] = [
            ("ops", "Policy", "ana", { try $0.sandbox.write(Self.policy, to: ".handoff/policy.yaml", in: $0.work) }, { !$0.policy.roles.isEmpty }),
            (
                "ana", "Add PAY-142", "dev",
                { world in for (path, text) in packet { try world.sandbox.write(text, to: path, in: world.work) } },
                { $0.packets[PacketID("PAY-142")!]?.state == .ready }
            ),
            ("dev", "Claim\n\nHandoff: claim PAY-142 starting", "rita", { _ in }, { $0.packets[PacketID("PAY-142")!]?.state == .inProgress }),
            ("dev", "Deliver\n\nHandoff: submit PAY-142", "ana", delivery, { $0.packets[PacketID("PAY-142")!]?.state == .inReview }),
            (
                "rita", "Review\n\nHandoff: request-changes PAY-142 AC-3 needs a run", "dev", { _ in },
                { $0.packets[PacketID("PAY-142")!]?.state == .inProgress }
            ),
            ("dev", "Again\n\nHandoff: submit PAY-142", "ana", { _ in }, { $0.packets[PacketID("PAY-142")!]?.state == .inReview }),
            ("rita", "Accept\n\nHandoff: accept PAY-142", "dev", { _ in }, { $0.packets[PacketID("PAY-142")!]?.state == .delivered }),
            (
                "ops", "Ana reviews too", "rita",
                {
                    try $0.sandbox.write(
                        Self.policy.replacingOccurrences(of: "[\"rita@acme.example\"]", with: "[\"rita@acme.example\", \"ana@acme.example\"]"),
                        to: ".handoff/policy.yaml", in: $0.work)
                },
                { $0.policy.roles["reviewer"]?.count == 2 }
            ),
        ]
        try world.sandbox.write("# Specs\n", to: "README.md", in: world.work)
        var base: String? = try world.commit("ops", "Start", signing: .own)
        var cases = 0
        for step in steps {
            let before = try base.map { try world.state(at: $0) } ?? WorkflowState()
            let attempts: [(World.Signing, SignatureProblem?)] = [
                (.unsigned, .unsigned), (.key("mallory"), .keyNotAllowed), (.key(step.impostor), nil),
            ]
            for (signing, problem) in attempts {
                if let base { try world.reset(to: base) }
                try step.change(world)
                let forged = try world.commit(step.person, step.message, signing: signing)
                let after = try world.state(at: forged)
                #expect(Standing(after) == Standing(before), "\(step.message) by \(step.person), \(signing): state changed")
                if let problem { Self.expectRecorded(.unverified(problem), step.person, before: before, after: after) }
                cases += 1
            }
            if let base { try world.reset(to: base) }
            try step.change(world)
            let genuine = try world.commit(step.person, step.message, signing: .own)
            // The same commit with its message or author line altered keeps a signature that no longer verifies.
            for edit in [
                { (raw: String) in
                    raw.replacingOccurrences(of: "\n\n\(step.message.split(separator: "\n").first!)", with: "\n\nEdited: \(step.message)")
                },
                { (raw: String) in raw.replacingOccurrences(of: "author \(step.person) <", with: "author someone <") },
            ] {
                let altered = try world.tampered(genuine, edit)
                let after = try world.state(at: altered)
                #expect(Standing(after) == Standing(before), "\(step.message) altered: state changed")
                Self.expectRecorded(.unverified(.doesNotVerify), step.person, before: before, after: after)
                cases += 1
            }
            // The positive control: signed by the right key, the step takes effect.
            let after = try world.state(at: genuine)
            #expect(step.expect(after), "\(step.message) by \(step.person), signed: no effect")
            #expect(Standing(after) != Standing(before))
            base = genuine
        }
        #expect(cases == steps.count * 5)
    }

    /// A refused commit leaves a trace: the packet's history names the rejection (a packet that exists
    /// before), or the board records an unauthorised policy change (the operator's steps).
    static func expectRecorded(_ rejection: Rejection, _ person: String, before: WorkflowState, after: WorkflowState) {
        if person == "ops" {
            guard case .policyUnauthorized? = after.events.last?.kind else {
                Issue.record("no policy-unauthorized event: \(after.events.last.map { "\($0.kind)" } ?? "-")")
                return
            }
        } else if before.packets[PacketID("PAY-142")!] != nil {
            #expect(after.packets[PacketID("PAY-142")!]?.history.last?.rejection == rejection)
        }
    }

    @Test("a commit's identity is the signing key's principal, not its author line; an expired key holds no role")
    func principalNotAuthor() throws {
        let world = try World()
        try world.sandbox.write(Self.policy, to: ".handoff/policy.yaml", in: world.work)
        try world.commit("ops", "Policy", signing: .own)
        for (path, text) in PacketTemplate.example() { try world.sandbox.write(text, to: path, in: world.work) }
        try world.commit("ana", "Add PAY-142", signing: .own)
        // Written as ana, signed by dev: the claim is dev's, and dev is a contractor.
        let claimed = try world.commit("ana", "Claim\n\nHandoff: claim PAY-142", signing: .key("dev"))
        let status = try #require(try world.state(at: claimed).packets[PacketID("PAY-142")!])
        #expect(status.state == .inProgress)
        #expect(status.assignee == "dev@contractors.example")
        // The same key listed only until a date before the commit: no role.
        let text = try String(contentsOfFile: world.allowedSigners, encoding: .utf8)
        try text.replacingOccurrences(
            of: "dev@contractors.example namespaces=\"git\"", with: "dev@contractors.example namespaces=\"git\",valid-before=\"20200101\""
        )
        .write(toFile: world.allowedSigners, atomically: true, encoding: .utf8)
        let expired = try #require(try world.state(at: claimed).packets[PacketID("PAY-142")!])
        #expect(expired.state == .ready)
        #expect(expired.history.last?.rejection == .unverified(.keyNotAllowed))
    }

    @Test("an allowed_signers file that cannot be read stalls the repository: nobody has an identity without it")
    func missingSignersStall() throws {
        let world = try World()
        try world.commit("ops", "Policy", signing: .own)
        try FileManager.default.removeItem(atPath: world.allowedSigners)
        #expect(throws: ProcessingError.stalled(.allowedSigners(path: world.allowedSigners))) {
            try RepositoryProcessor(settings: world.settings).replay(try Repository.open(at: world.work))
        }
    }
}

/// The SSHSIG format and git's allowed_signers file, read in process.
@Suite("SSH signatures in process", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct SSHSignatureTests {
    @Test("ssh-keygen's signature verifies over its payload and nothing else; another namespace is told apart")
    func verifies() throws {
        let sandbox = try Sandbox()
        let key = try SSHKeygen.generate(at: "\(sandbox.root)/k", comment: "k@x", scratch: "\(sandbox.root)/tmp")
        let armored = try SSHKeygen.sign("tree 0\n\npayload\n", key: "\(sandbox.root)/k", scratch: "\(sandbox.root)/tmp")
        let signature = try SSHSignature(armored: armored)
        #expect(signature.publicKey == key)
        #expect(signature.namespace == "git")
        #expect(signature.verifies(Data("tree 0\n\npayload\n".utf8)))
        #expect(!signature.verifies(Data("tree 0\n\npayload!\n".utf8)))
        let file = try runProcess(
            "/usr/bin/ssh-keygen", ["-Y", "sign", "-q", "-f", "\(sandbox.root)/k", "-n", "file"], input: Data("x".utf8))
        #expect(try SSHSignature(armored: file.stdout).namespace == "file")
        #expect(throws: SSHSignature.Problem.malformed) {
            try SSHSignature(armored: "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----")
        }
    }

    @Test("allowed_signers: first literal principal, namespaces, validity windows, skipped lines with their reasons")
    func allowedSigners() throws {
        let sandbox = try Sandbox()
        let key = try SSHKeygen.generate(at: "\(sandbox.root)/a", comment: "a", scratch: "\(sandbox.root)/tmp")
        let other = try SSHKeygen.generate(at: "\(sandbox.root)/b", comment: "b", scratch: "\(sandbox.root)/tmp")
        let signers = AllowedSigners(
            text: """
                # comment
                *@acme.example,ana@acme.example namespaces="git,file" \(key.line)
                bo@acme.example valid-after="20260101",valid-before="20270101Z" \(other.line)
                ca@acme.example cert-authority \(other.line)
                broken
                """)
        #expect(signers.principal(for: key, namespace: "git", at: 0) == "ana@acme.example")
        #expect(signers.principal(for: key, namespace: "email", at: 0) == nil)
        #expect(signers.principal(for: other, namespace: "git", at: 1_780_000_000) == "bo@acme.example")
        #expect(signers.principal(for: other, namespace: "git", at: 1_700_000_000) == nil)
        #expect(signers.skipped.map(\.line) == [4, 5])
        #expect(SSHPublicKey(line: "ssh-rsa \(key.blob.base64EncodedString())") == nil, "the blob names another type")
    }
}
