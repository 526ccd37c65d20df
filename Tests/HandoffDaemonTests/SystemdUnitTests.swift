import Foundation
import GitTestSupport
import Testing

/// The shipped systemd units are valid and hardened.
@Suite(
    "systemd units",
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
        "needs systemd-analyze"))
struct SystemdUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("systemd-analyze verify reports no unknown keys or syntax errors")
    func verify() throws {
        for unit in ["handoffd.service", "handoffd-once.service", "handoffd-once.timer"] {
            // verify exits 0 even on unknown keys: read what it prints instead.
            let result = try runProcess("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(Self.root)/systemd/\(unit)"])
            let problems = (result.stdout + result.stderr).split(separator: "\n")
                .filter { !$0.contains("is not executable") && !$0.contains("/usr/local/bin/handoffd") }
            #expect(problems.isEmpty, "\(unit): \(problems.joined(separator: "; "))")
        }
    }

    @Test("the services score SAFE (exposure at most 2.0) on systemd-analyze security", arguments: ["handoffd.service", "handoffd-once.service"])
    func security(_ unit: String) throws {
        let result = try runProcess("/usr/bin/systemd-analyze", ["security", "--offline=yes", "\(Self.root)/systemd/\(unit)"])
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = line.split(separator: " ").compactMap { Double($0) }.first
        #expect(score.map { $0 <= 2.0 } == true, "\(line)")
    }

    @Test("the services cap their memory with MemoryMax=, explained by a comment above it", arguments: ["handoffd.service", "handoffd-once.service"])
    func memoryLimit(_ unit: String) throws {
        let lines = try String(contentsOfFile: "\(Self.root)/systemd/\(unit)", encoding: .utf8).split(separator: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix("MemoryMax=") })
        let value = lines[index].dropFirst("MemoryMax=".count)
        #expect(value.hasSuffix("M") && Int(value.dropLast()).map { $0 >= 256 } == true, "\(lines[index])")
        #expect(lines[index - 1].hasPrefix("#"), "MemoryMax= needs the comment that says where its figure comes from")
        let shown = try runProcess("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(Self.root)/systemd/\(unit)"])
        #expect(!(shown.stdout + shown.stderr).contains("MemoryMax"), "\(shown.stderr)")
    }

    @Test(
        "the sysusers.d entry creates the handoff user the unit runs as",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-sysusers"), "needs systemd-sysusers"))
    func systemUser() throws {
        let sandbox = try Sandbox()
        let root = try sandbox.folder("root")
        try FileManager.default.createDirectory(atPath: "\(root)/etc", withIntermediateDirectories: true)
        let result = try runProcess("/usr/bin/systemd-sysusers", ["--root=\(root)", "\(Self.root)/systemd/handoff.sysusers"])
        #expect(result.status == 0, "\(result.stderr)")
        let passwd = try String(contentsOfFile: "\(root)/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("handoff:x:") && passwd.contains(":/var/lib/handoff:/usr/sbin/nologin"))
        let unit = try String(contentsOfFile: "\(Self.root)/systemd/handoffd.service", encoding: .utf8)
        #expect(unit.contains("User=handoff\n"))
    }
}
