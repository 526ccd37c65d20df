import Foundation
public import Git
import HandoffCore

/// The built-in demo: a bare spec repository with one ready packet and one freshly scaffolded draft.
public enum DemoRepository {
    /// The demo's fixed identity and clock, so that every demo repository has the same commit ids.
    static func signature(_ name: String, _ email: String, minute: Int64) -> Signature {
        Signature(name: name, email: email, time: GitTime(seconds: 1_795_000_000 + minute * 60, offsetMinutes: 60))
    }

    /// The demo's operator, named in the demo's handoffd configuration.
    public static let operatorEmail = "ops@acme.example"

    /// A handoffd configuration serving the demo repository at `repository`, keeping state in `stateDirectory`.
    /// With `allowedSigners`, identities come from verified signatures (`participant_identity: signature`);
    /// with `httpListen`, handoffd serves its read API and dashboard there (`http.listen`); with `statusBranch`,
    /// status commits go to that branch (`status_branch`) instead of `main`.
    public static func configuration(
        repository: String, stateDirectory: String, notifySocket: String? = nil, allowedSigners: String? = nil, httpListen: String? = nil,
        statusBranch: String? = nil
    ) -> String {
        let identity =
            (statusBranch.map { "\n    status_branch: \($0)" } ?? "")
            + (allowedSigners.map { "\n    participant_identity: signature\n    allowed_signers: \($0)" } ?? "")
        return """
            identity:
              name: handoffd
              email: handoffd@acme.example
            state_directory: \(stateDirectory)\(notifySocket.map { "\nnotify_socket: \($0)" } ?? "")\(httpListen.map { "\nhttp:\n  listen: \"\($0)\"" } ?? "")
            repositories:
              - name: demo
                path: \(repository)
                branch: main
                operators: [\(operatorEmail)]\(identity)

            """
    }

    /// The demo's people: the operator, two client engineers (Ana also reviews) and a contractor.
    public static let participants: [(short: String, name: String, email: String)] = [
        ("ops", "Olga Operator", operatorEmail), ("ana", "Ana Client", "ana@acme.example"), ("bo", "Bo Client", "bo@acme.example"),
        ("dev", "Dev Contractor", "dev@contractors.example"),
    ]

    /// An SSH key per demo participant in `folder` (`<short>_ed25519`), and `allowed_signers` listing them
    /// for git: what a demo in `participant_identity: signature` needs. Returns the allowed_signers path.
    @discardableResult
    public static func createKeys(in folder: String, scratch: String) throws -> String {
        var lines = "# Demo participants' SSH keys: a commit counts only when signed by one of these (participant_identity: signature).\n"
        for person in participants {
            let key = try SSHKeygen.generate(at: "\(folder)/\(person.short)_ed25519", comment: person.email, scratch: scratch)
            lines += "\(person.email) namespaces=\"git\" \(key.line)\n"
        }
        let path = "\(folder)/allowed_signers"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Creates the demo repository at `path` (which must not exist yet) and returns the tip of `main`.
    /// With `keys` (a folder made by ``createKeys(in:scratch:)``) every commit is signed by its author's key;
    /// without, commits are unsigned and their ids the same in every demo.
    @discardableResult
    public static func create(at path: String, keys: String? = nil) throws -> ObjectID {
        let repository = try Repository.initBare(at: path, initialBranch: "main")
        func signer(_ email: String) -> CommitSigner? {
            guard let keys, let person = participants.first(where: { $0.email == email }) else { return nil }
            return { try SSHKeygen.sign($0, key: "\(keys)/\(person.short)_ed25519", scratch: "\(keys)/tmp") }
        }
        let ana = signature("Ana Client", "ana@acme.example", minute: 0)
        let policy = """
            # Who holds which role (changed by operators only).
            packet_root: specs
            roles:
              client: ["*@acme.example"]
              contractor: ["*@contractors.example"]
              reviewer: ["ana@acme.example"]

            """
        let operatorIdentity = signature("Olga Operator", operatorEmail, minute: -10)
        let policyTree = try repository.buildTree(base: nil, edits: edits([".handoff/policy.yaml": policy]))
        let root = try repository.createCommit(
            tree: policyTree, parents: [], author: operatorIdentity, committer: operatorIdentity,
            message: "Set up the handoff policy\n", signer: signer(operatorEmail))
        let first = try repository.buildTree(base: policyTree, edits: edits(PacketTemplate.example()))
        var tip = try repository.createCommit(
            tree: first, parents: [root], author: ana, committer: ana,
            message: "Add PAY-142: partial refunds for card payments\n", signer: signer(ana.email))
        let bo = signature("Bo Client", "bo@acme.example", minute: 30)
        let scaffold = PacketTemplate.scaffold(id: PacketID("PAY-150")!, title: "Refund webhooks for merchants")
        let second = try repository.buildTree(base: first, edits: edits(scaffold))
        tip = try repository.createCommit(
            tree: second, parents: [tip], author: bo, committer: bo,
            message: "Scaffold PAY-150 (to be written)\n", signer: signer(bo.email))
        try repository.updateReference("refs/heads/main", to: tip, expecting: nil, logMessage: "handoff demo")
        return tip
    }

    private static func edits(_ files: [String: String]) -> [TreeEdit] {
        files.keys.sorted().map { TreeEdit.upsert(path: $0, content: Data(files[$0]!.utf8)) }
    }
}
