import Foundation
import GitTestSupport
import HandoffCore
import Testing

/// Issue 11, item 6: no input may stop a repository's status from advancing. Each hostile packet is pushed
/// through the real pre-receive hook and processed by the real handoffd, then a normal action, which must be
/// processed; at the end replay agrees and the repository is sound.
@Suite("Hostile pushes", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct HostilePushTests {
    /// A hostile packet: files (inside its folder) written over the example, and the rule it must earn.
    struct Hostile: Sendable {
        var name: String
        var files: [String: [UInt8]]
        /// A 50 MB file at this path inside the packet.
        var large: String?
        var rule: String
        /// The state it must be left in: warnings alone leave a packet ready.
        var state = "draft"
    }

    static let cases: [Hostile] = [
        Hostile(
            name: "alias bomb behind it 'works", files: ["handoff.yaml": Array("title: it 'works\n".utf8) + HostileInputTests.aliasBomb],
            rule: "manifest.invalid"),
        Hostile(
            name: "alias bomb in a contract",
            files: ["contracts/openapi.yaml": Array("openapi: 3.1.0\ninfo: {title: it 'works}\n".utf8) + HostileInputTests.aliasBomb],
            rule: "contracts.parse-error"),
        Hostile(name: "50 MB context", files: [:], large: "context.md", rule: "file.too-large"),
        Hostile(
            name: "10,000-level JSON", files: ["contracts/deep.json": Array(("{\"a\": " + String(repeating: "[", count: 10_000)).utf8)],
            rule: "contracts.parse-error"),
        Hostile(
            name: "10,000-level block YAML", files: ["contracts/deep.yaml": Array((String(repeating: "- ", count: 10_000) + "x\n").utf8)],
            rule: "contracts.parse-error"),
        Hostile(name: "binary acceptance", files: ["acceptance.md": [0x2D, 0x20, 0x00, 0x01, 0x02]], rule: "file.binary"),
        Hostile(
            name: "Latin-1 context", files: ["context.md": Array("## Background\n\nCaf".utf8) + [0xE9] + Array(" cr\u{E8}me\n".utf8)],
            rule: "file.not-utf8"),
        Hostile(
            name: "16,000 noisy criteria", files: ["acceptance.md": Array(BoundedInputOverGitTests.noisyCriteria.utf8)],
            rule: "acceptance.vague-term", state: "ready"),
        Hostile(
            name: "65 MiB of contracts",
            files: Dictionary(
                uniqueKeysWithValues: (0..<130).map {
                    ("contracts/bulk-\($0).json", Array(("\"" + String(repeating: "a", count: CheckLimits.default.maxFileBytes - 2) + "\"").utf8))
                }),
            rule: Rule.checkBudgetExhausted.id),
        Hostile(name: "a symlink out of the repository", files: [:], rule: "packet.unsupported-entry"),
    ]

    /// Writes the example packet as `id` into `clone`, with `hostile`'s files over it.
    static func write(_ hostile: Hostile, as id: String, in team: CLIWorkflowTests.Team, person: String) throws {
        let clone = team.clone(person)
        for (path, text) in PacketTemplate.example() {
            try team.sandbox.write(
                text.replacingOccurrences(of: "PAY-142", with: id), to: path.replacingOccurrences(of: "PAY-142", with: id), in: clone)
        }
        for (path, bytes) in hostile.files {
            let url = URL(fileURLWithPath: "\(clone)/specs/\(id)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        if let large = hostile.large { try HostileInputTests.writeLarge("\(clone)/specs/\(id)/\(large)", size: 50 * 1024 * 1024) }
        if hostile.rule == "packet.unsupported-entry" {
            try FileManager.default.createSymbolicLink(atPath: "\(clone)/specs/\(id)/contracts/passwd.yaml", withDestinationPath: "/etc/passwd")
        }
    }

    /// A team whose bare repository has the handoff hooks, a policy, and a ready PAY-142.
    static func team(requireReady: Bool = false, _ name: String = #function) throws -> CLIWorkflowTests.Team {
        let team = try CLIWorkflowTests.Team(name)
        let install = try runProcess(CLITests.handoff, ["hook", "install", "--repo", team.bare, "--config", team.config])
        try #require(install.status == 0, "\(install.stderr)")
        try team.sandbox.write(
            "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n  reviewer: [rita@acme.example]\n"
                + (requireReady ? "require_ready: true\n" : ""),
            to: ".handoff/policy.yaml", in: team.clone("ops"))
        for (path, text) in PacketTemplate.example() { try team.sandbox.write(text, to: path, in: team.clone("ops")) }
        try team.git("ops", ["add", "-A"])
        try team.git("ops", ["commit", "-q", "-m", "Policy and PAY-142"])
        try team.pushAndProcess("ops")
        try #require(try team.state("PAY-142") == "ready")
        return team
    }

    static func blocked(_ team: CLIWorkflowTests.Team) throws -> Bool {
        let json = try team.handoff("ana", ["status", "PAY-142", "--format", "json"]).stdout
        let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        return list?.first?["blocked"] as? Bool ?? false
    }

    @Test("each hostile packet goes through the hook and handoffd with its finding, and the normal action after it is processed")
    func eachHostilePacketThenAnAction() throws {
        let team = try Self.team()
        for (index, hostile) in Self.cases.enumerated() {
            let id = "BAD-\(index)"
            try Self.write(hostile, as: id, in: team, person: "ana")
            try team.git("ana", ["add", "-A"])
            try team.git("ana", ["commit", "-q", "-m", "Add \(id): \(hostile.name)"])
            try team.pushAndProcess("ana")
            let status = try team.sandbox.git(["show", "main:specs/\(id)/status.yaml"], in: team.bare)
            #expect(status.contains("state: \(hostile.state)\n"), "\(hostile.name): \(status.prefix(300))")
            #expect(
                status.contains("rule: \"\(hostile.rule)\"") || status.contains("rule: \(hostile.rule)"), "\(hostile.name): \(status.prefix(600))")
            #expect(status.utf8.count < 1 << 20, "\(hostile.name): status.yaml is \(status.utf8.count) bytes")

            // A normal action right after: block and unblock in turn, each processed.
            let action = index % 2 == 0 ? "block" : "unblock"
            try team.git("ana", ["commit", "-q", "--allow-empty", "-m", "\(action)\n\nHandoff: \(action) PAY-142 after \(hostile.name)"])
            try team.pushAndProcess("ana")
            #expect(try Self.blocked(team) == (action == "block"), "the \(action) after \(hostile.name) was not processed")
        }
        let replay = try runProcess(CLITests.handoff, ["replay", "--config", team.config, "--check"])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        try team.sandbox.git(["fsck", "--strict", "--no-dangling"], in: team.bare)
    }

    @Test("under require_ready the hook refuses a billion laughs with file, line and rule, and accepts the next normal push")
    func hookRefusesTheBomb() throws {
        let team = try Self.team(requireReady: true)
        try Self.write(Self.cases[0], as: "BAD-0", in: team, person: "ana")
        try team.git("ana", ["add", "-A"])
        try team.git("ana", ["commit", "-q", "-m", "Add BAD-0"])
        let push = try runProcess(
            "/usr/bin/git", ["push", "-q", "origin", "HEAD:main"], in: team.clone("ana"), environment: team.sandbox.environment)
        #expect(push.status != 0)
        #expect(push.stderr.contains("specs/BAD-0/handoff.yaml:3:"), "\(push.stderr)")
        #expect(push.stderr.contains("YAML alias (*a) found") && push.stderr.contains("[manifest.invalid]"), "\(push.stderr)")

        try team.git("ana", ["reset", "-q", "--hard", "origin/main"])
        try team.git("ana", ["commit", "-q", "--allow-empty", "-m", "block\n\nHandoff: block PAY-142 waiting for legal"])
        try team.pushAndProcess("ana")
        #expect(try Self.blocked(team))
    }
}
