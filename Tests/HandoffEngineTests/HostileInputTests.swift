import Foundation
import GitTestSupport
import HandoffCore
import HandoffSystem
import Testing

/// Untrusted packets: each hostile file yields its finding, and nothing is loaded whole (how fast is the
/// benchmark's business; a hang would fail the suite's own time limit).
@Suite("Hostile input", .enabled(if: CLITests.built, "run `swift build` first: the executables are not next to the tests"))
struct HostileInputTests {
    /// Runs `handoff validate ARGS`, returning its output and peak memory.
    ///
    /// GNU time measures the peak: a child spawned from the test process would report the test's own
    /// resident size (Linux carries the peak across exec), which says nothing about handoff.
    static func validate(_ arguments: [String], in folder: String) throws -> (output: String, maxKiB: Int) {
        let id = UUID().uuidString
        let outPath = "\(folder)/validate-\(id).json", memoryPath = "\(folder)/memory-\(id)"
        let child = try ChildProcess(
            "/usr/bin/time", ["-f", "%M", "-o", memoryPath, CLITests.handoff, "validate", "--format", "json"] + arguments,
            stdout: outPath)
        _ = child.wait()
        let maxKiB = Int(try String(contentsOfFile: memoryPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return (try String(contentsOfFile: outPath, encoding: .utf8), maxKiB)
    }

    /// A file of `size` bytes of `a`, written in chunks so the test itself stays small.
    static func writeLarge(_ path: String, size: Int) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<(size >> 20) { try handle.write(contentsOf: chunk) }
    }

    /// A clone holding the example packet, with `files` (bytes) written over it.
    static func packet(_ sandbox: Sandbox, _ files: [String: [UInt8]], large: String? = nil, commit: Bool = false) throws -> String {
        let work = try sandbox.workRepository("packet-\(UUID().uuidString.prefix(6))")
        for (path, text) in PacketTemplate.example() { try sandbox.write(text, to: path, in: work) }
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: "\(work)/specs/PAY-142/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        if let large { try writeLarge("\(work)/specs/PAY-142/\(large)", size: 50 * 1024 * 1024) }
        if commit { try sandbox.commitAll("packet", in: work) }
        return work
    }

    static var aliasBomb: [UInt8] {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...9 {
            text += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n"
        }
        return Array(text.utf8)
    }

    @Test("alias bomb, 50 MB file, 10,000-level YAML and JSON, binary and Latin-1: a finding each, small")
    func hostileFiles() throws {
        let sandbox = try Sandbox()
        let baseline = try Self.validate([try Self.packet(sandbox, [:]) + "/specs/PAY-142"], in: sandbox.root)
        #expect(baseline.output.contains("\"ready\" : true"))
        let cases: [(name: String, files: [String: [UInt8]], rule: String, commit: Bool)] = [
            ("alias bomb", ["handoff.yaml": Self.aliasBomb], "manifest.invalid", false),
            // A quote after a space in a plain scalar once hid every alias after it from the lexical pre-scan.
            ("alias bomb behind it 'works", ["handoff.yaml": Array("title: it 'works\n".utf8) + Self.aliasBomb], "manifest.invalid", false),
            (
                "alias bomb in a contract", ["contracts/openapi.yaml": Array("openapi: 3.1.0\ninfo: {title: it 'works}\n".utf8) + Self.aliasBomb],
                "contracts.parse-error", false
            ),
            ("50 MB file on disk", [:], "file.too-large", false),
            ("50 MB blob in git", [:], "file.too-large", true),
            (
                "10,000-level JSON", ["contracts/deep.json": Array(("{\"a\": " + String(repeating: "[", count: 10_000)).utf8)],
                "contracts.parse-error", false
            ),
            (
                "10,000-level block YAML", ["contracts/deep.yaml": Array((String(repeating: "- ", count: 10_000) + "x\n").utf8)],
                "contracts.parse-error", false
            ),
            ("binary acceptance", ["acceptance.md": [0x2D, 0x20, 0x00, 0x01, 0x02]], "file.binary", false),
            ("Latin-1 context", ["context.md": Array("## Background\n\nCaf".utf8) + [0xE9] + Array(" cr\u{E8}me\n".utf8)], "file.not-utf8", false),
        ]
        for hostile in cases {
            let work = try Self.packet(
                sandbox, hostile.files, large: hostile.name.hasPrefix("50 MB") ? "context.md" : nil,
                commit: hostile.commit)
            let arguments = hostile.commit ? ["--rev", "HEAD", "\(work)/specs/PAY-142"] : ["\(work)/specs/PAY-142"]
            let run = try Self.validate(arguments, in: sandbox.root)
            #expect(run.output.contains("\"rule\" : \"\(hostile.rule)\""), "\(hostile.name): \(run.output.prefix(400))")
            let growth = run.maxKiB - baseline.maxKiB
            #expect(growth < 8 * 1024, "\(hostile.name) grew peak memory by \(growth) KiB over the baseline \(baseline.maxKiB) KiB")
        }
    }

    @Test("a packet of tens of thousands of warnings: validate lists the first per rule, and its summary counts them all")
    func noisyPacketSummary() throws {
        let sandbox = try Sandbox()
        let work = try Self.packet(sandbox, ["acceptance.md": Array(BoundedInputOverGitTests.noisyCriteria.utf8)])
        let run = try Self.validate(["\(work)/specs/PAY-142"], in: sandbox.root)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let packet = try #require((document["packets"] as? [[String: Any]])?.first)
        let listed = (packet["findings"] as? [[String: Any]] ?? []).count { $0["severity"] as? String == "warning" }
        let counted = try #require((document["summary"] as? [String: Any])?["warnings"] as? Int)
        #expect(counted > 10_000 && listed < 1_000, "\(counted) counted, \(listed) listed")
        #expect(run.output.utf8.count < 1 << 20)
    }
}
