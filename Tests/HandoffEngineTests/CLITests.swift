import Foundation
import GitTestSupport
import HandoffEngine
import Testing

/// The built `handoff` and `handoffd` executables, run as a user would (skipped when not built).
@Suite("Command-line tools")
struct CLITests {
    /// The folder of the test bundle, where SwiftPM puts the executables too.
    static let productsFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    static let handoff = "\(productsFolder)/handoff"
    static let handoffd = "\(productsFolder)/handoffd"
    static let built = FileManager.default.isExecutableFile(atPath: handoff) && FileManager.default.isExecutableFile(atPath: handoffd)

    @Test("both executables report the same version", .enabled(if: built, "run `swift build` first"))
    func version() throws {
        for executable in [Self.handoff, Self.handoffd] {
            let result = try runProcess(executable, ["--version"])
            #expect(result.status == 0 && result.stdout == HandoffVersion.current + "\n", "\(executable): \(result.stdout)")
        }
    }

    @Test(
        "the participants' CLI links no daemon runtime: no HandoffDaemon, ServiceLifecycle or UnixSignals symbol",
        .enabled(if: built, "run `swift build` first"))
    func cliLinksNoDaemon() throws {
        let binary = try Data(contentsOf: URL(fileURLWithPath: Self.handoff))
        // Swift mangles a module name with its length in front: `13HandoffDaemon`, `16ServiceLifecycle`.
        for module in ["HandoffDaemon", "ServiceLifecycle", "UnixSignals"] {
            #expect(binary.range(of: Data("\(module.utf8.count)\(module)".utf8)) == nil, "handoff links \(module)")
        }
        #expect(binary.range(of: Data("20HandoffConfiguration".utf8)) != nil, "the check sees the modules handoff does link")
    }

    @Test(
        "demo, handoffd --once and validate: exit codes and the documented JSON shape",
        .enabled(if: built, "run `swift build` first: the executables are not next to the tests"))
    func endToEnd() throws {
        let sandbox = try Sandbox()
        let created = try runProcess(Self.handoff, ["demo", sandbox.root, "--status-branch", "off"])
        #expect(created.status == 0, "\(created.stderr)")
        let bare = "\(sandbox.root)/specs.git"
        let config = "\(sandbox.root)/handoffd.yaml"
        let once = try runProcess(Self.handoffd, ["--config", config, "--once"])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(once.stderr.contains("notice handoffd: published status"))
        #expect(try sandbox.git(["show", "main:specs/PAY-150/status.yaml"], in: bare).contains("state: draft"))
        let replay = try runProcess(Self.handoff, ["replay", "--config", config, "--check"])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.hasPrefix("replay matches refs/heads/main"))
        #expect(try sandbox.git(["log", "-1", "--format=%B", "main"], in: bare).contains("- PAY-150: new → draft (created by bo@acme.example)"))
        let broken = "\(sandbox.root)/broken.yaml"
        try (try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: bare, with: "\(sandbox.root)/nope.git"))
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let missing = try runProcess(Self.handoffd, ["--config", broken, "--once"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("error handoffd: cannot process"))
        #expect(try runProcess(Self.handoffd, ["--config", config, "--once", "--log-level", "loud"]).status == 64)
        #expect(try runProcess(Self.handoffd, ["--config", "\(sandbox.root)/missing.yaml", "--once"]).status == 64)

        try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        let all = try runProcess(Self.handoff, ["validate", "--format", "json", clone])
        #expect(all.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["packets", "findings", "summary"])
        let summary = try #require(document["summary"] as? [String: Int])
        #expect(summary == ["packets": 2, "ready": 1, "errors": 7, "warnings": 0])
        #expect(!all.stdout.contains("status.yaml"), "status files are not packet content")
        let packets = try #require(document["packets"] as? [[String: Any]])
        #expect(packets.map { Set($0.keys) } == Array(repeating: ["path", "id", "ready", "score", "criteria", "findings"], count: 2))
        let finding = try #require((packets[1]["findings"] as? [[String: Any]])?.first)
        #expect(Set(finding.keys) == ["rule", "severity", "file", "line", "column", "message", "hint", "term", "class"])

        let packetRoot = try runProcess(Self.handoff, ["validate", "--format", "json", "\(clone)/specs"])
        #expect(packetRoot.stdout.contains("\"path\" : \"\(clone)/specs/PAY-150\""), "\(packetRoot.stdout.prefix(300))")
        #expect(packetRoot.stdout.contains("\"file\" : \"\(clone)/specs/PAY-150/handoff.yaml\""))
        let ready = try runProcess(Self.handoff, ["validate", "\(clone)/specs/PAY-142"])
        #expect(ready.status == 0)
        #expect(ready.stdout.contains("PAY-142: ready (0 error(s), 0 warning(s), score 100)"))
        #expect(!ready.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        let text = try runProcess(Self.handoff, ["validate", clone])
        #expect(
            text.stdout.contains("\(clone)/specs/PAY-150/handoff.yaml:4:9: error: 'client' is still the placeholder 'TBD' [manifest.field-missing]"))
        // --rev reads the commit, not the work tree: an uncommitted placeholder is not seen there.
        let context = "\(clone)/specs/PAY-142/context.md"
        try (try String(contentsOfFile: context, encoding: .utf8) + "\nTBD\n").write(toFile: context, atomically: true, encoding: .utf8)
        #expect(try runProcess(Self.handoff, ["validate", "\(clone)/specs/PAY-142"]).status == 1)
        let atHead = try runProcess(Self.handoff, ["validate", "--rev", "HEAD", "\(clone)/specs/PAY-142"])
        #expect(atHead.status == 0, "\(atHead.stdout)\(atHead.stderr)")
        let atParent = try runProcess(Self.handoff, ["validate", "--rev", "HEAD~2", "--format", "json", clone])
        #expect(atParent.stdout.contains("\"packets\" : 1"), "only PAY-142 existed before the scaffold and the status commit")
        #expect(try runProcess(Self.handoff, ["validate", "--rev", "no-such-rev", clone]).status == 2)
        #expect(try runProcess(Self.handoff, ["validate", "\(sandbox.root)/nowhere"]).status == 2)
        #expect(try runProcess(Self.handoff, ["validate", "--no-such-option"]).status == 2)
    }
}

/// SARIF output checked against the published SARIF 2.1.0 schema with Python's jsonschema.
@Suite("SARIF output")
struct SARIFTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/sarif/sarif-schema-2.1.0.json").path
    static let available = CLITests.built && FileManager.default.fileExists(atPath: schema)

    @Test(
        "handoff validate --format sarif validates against the SARIF 2.1.0 schema",
        .enabled(if: available, "needs the built handoff and ../shared/fixtures/sarif"))
    func sarifValidates() throws {
        let sandbox = try Sandbox()
        _ = try runProcess(CLITests.handoff, ["demo", sandbox.root, "--status-branch", "off"])
        try sandbox.git(["clone", "-q", "\(sandbox.root)/specs.git", "clone"], in: sandbox.root)
        try sandbox.write("id: x\n", to: "clone/specs/not an id/handoff.yaml", in: sandbox.root)
        let sarif = try runProcess(CLITests.handoff, ["validate", "--format", "sarif", "\(sandbox.root)/clone"])
        #expect(sarif.status == 1)
        let output = "\(sandbox.root)/out.sarif"
        try Data(sarif.stdout.utf8).write(to: URL(fileURLWithPath: output))
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            log = json.load(open(sys.argv[2]))
            jsonschema.validate(log, schema)
            results = log["runs"][0]["results"]
            print(len(results), sorted({r["ruleId"] for r in results}))
            """
        let checked = try runProcess("/usr/bin/env", ["python3", "-c", script, Self.schema, output])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.hasPrefix("8 "), "\(checked.stdout)")
        #expect(checked.stdout.contains("packet.invalid-id"))
    }
}
