import Foundation
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// Issue 11, item 7: participant text cannot drive the reader's terminal.
@Suite("Terminal output", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct TerminalOutputTests {
    @Test("control characters are written visibly: C0 but tab, DEL, C1, line breaks and bidi overrides")
    func escaping() {
        #expect(TerminalText.escaped("plain text, tabs\tand ünïcödé") == "plain text, tabs\tand ünïcödé")
        #expect(TerminalText.escaped("\u{1B}[2J\u{1B}]0;owned\u{07}") == "\\x1B[2J\\x1B]0;owned\\x07")
        #expect(TerminalText.escaped("a\nb\rc\u{7F}\u{9B}31m\u{0}") == "a\\nb\\rc\\x7F\\x9B31m\\x00")
        #expect(TerminalText.escaped("abc\u{202E}fdp.exe\u{2028}") == "abc\\u{202E}fdp.exe\\u{2028}")
    }

    @Test("an ESC sequence in a title and in a trailer note reaches status and board escaped, never raw")
    func escapeSequencesInStatusAndBoard() throws {
        let team = try CLIWorkflowTests.Team()
        try team.sandbox.write(
            "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n",
            to: ".handoff/policy.yaml", in: team.clone("ops"))
        for (path, text) in PacketTemplate.example() {
            var content = text
            if path.hasSuffix("handoff.yaml") {
                content = content.replacingOccurrences(
                    of: "title: Partial refunds for card payments",
                    with: "title: \"Refunds \\e[2J\\e[31mPAID\\e[0m\"")
            }
            try team.sandbox.write(content, to: path, in: team.clone("ops"))
        }
        try team.git("ops", ["add", "-A"])
        try team.git("ops", ["commit", "-q", "-m", "policy and packet"])
        try team.pushAndProcess("ops")
        #expect(try team.handoff("dev", ["claim", "PAY-142", "-m", "on it \u{1B}]0;pwned\u{07}\u{1B}[1A"]).status == 0)
        try team.pushAndProcess("dev")

        let status = try team.handoff("ana", ["status", "PAY-142"])
        let board = try team.handoff("ana", ["board"])
        let list = try team.handoff("ana", ["status"])
        for (name, output) in [("status PAY-142", status.stdout), ("board", board.stdout), ("status", list.stdout)] {
            #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(name) printed a raw control character")
            #expect(output.contains("Refunds \\x1B[2J\\x1B[31mPAID\\x1B[0m"), "\(name): \(output)")
        }
        #expect(status.stdout.contains("on it \\x1B]0;pwned\\x07\\x1B[1A"), "\(status.stdout)")
        // JSON keeps the real text: its encoder escapes control characters itself.
        let json = try team.handoff("ana", ["status", "PAY-142", "--format", "json"]).stdout
        #expect(json.contains("\\u001b[2J") && !json.unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test("error messages and dry runs print what a participant typed escaped, and validate's refusal of a path too")
    func errorsAndDryRuns() throws {
        let team = try CLIWorkflowTests.Team()
        try team.sandbox.write(
            "roles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n",
            to: ".handoff/policy.yaml", in: team.clone("ops"))
        for (path, text) in PacketTemplate.example() { try team.sandbox.write(text, to: path, in: team.clone("ops")) }
        try team.git("ops", ["add", "-A"])
        try team.git("ops", ["commit", "-q", "-m", "policy and packet"])
        try team.pushAndProcess("ops")
        try team.git("dev", ["pull", "-q", "origin", "main"])

        let dryRun = try team.handoff("dev", ["claim", "PAY-142", "--dry-run", "-m", "now \u{1B}[2J\u{1B}[1A"])
        let unknown = try team.handoff("dev", ["status", "PAY-9\u{1B}[2J"])
        let missing = try team.handoff("dev", ["validate", "no-such-\u{1B}]0;pwned\u{07}"])
        for (name, output) in [("dry run", dryRun.stdout + dryRun.stderr), ("status", unknown.stderr), ("validate", missing.stderr)] {
            #expect(!output.isEmpty, "\(name) printed nothing")
            #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(name) printed a raw control character: \(output)")
        }
        #expect(dryRun.stdout.contains("now \\x1B[2J\\x1B[1A"), "\(dryRun.stdout)")
        #expect(unknown.stderr.contains("PAY-9\\x1B[2J"), "\(unknown.stderr)")
    }
}
