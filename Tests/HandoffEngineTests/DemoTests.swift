import Foundation
import Git
import GitTestSupport
import HandoffConfiguration
import HandoffCore
import HandoffDaemon
import HandoffEngine
import Logging
import Synchronization
import Testing

/// The built-in demo repository and the one-pass run over it.
@Suite("Demo repository and handoffd --once")
struct DemoTests {
    @Test("the demo repository is valid to git, deterministic, and holds one ready and one draft packet")
    func demo() throws {
        let sandbox = try Sandbox()
        let first = try DemoRepository.create(at: "\(sandbox.root)/one.git")
        let second = try DemoRepository.create(at: "\(sandbox.root)/two.git")
        #expect(first == second)
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: "\(sandbox.root)/one.git")
        #expect(
            try sandbox.git(["log", "--format=%an|%s", "main"], in: "\(sandbox.root)/one.git")
                == "Bo Client|Scaffold PAY-150 (to be written)\nAna Client|Add PAY-142: partial refunds for card payments\nOlga Operator|Set up the handoff policy"
        )
        let report = try checkTip(of: "\(sandbox.root)/one.git")
        #expect(report.packets.map { "\($0.id) \($0.isReady)" } == ["PAY-142 true", "PAY-150 false"])
        #expect(throws: (any Error).self) { try DemoRepository.create(at: "\(sandbox.root)/one.git") }
    }

    @Test("handoffd --once: a broken repository is logged in one line and counted; the others are processed")
    func onceRunIsolatesFailures() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let good = "\(sandbox.root)/good.git"
        try DemoRepository.create(at: good)
        let empty = "\(sandbox.root)/empty.git"
        _ = try Repository.initBare(at: empty)
        let text =
            DemoRepository.configuration(repository: good, stateDirectory: "\(sandbox.root)/state") + """
                  - name: missing
                    path: \(sandbox.root)/missing.git
                    operators: [ops@acme.example]
                  - name: empty
                    path: \(empty)
                    operators: [ops@acme.example]

                """
        let configuration = try DaemonConfiguration.parse(text, file: "test.yaml")
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: lines) }
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 1)
        let log = lines.all.joined(separator: "\n")
        #expect(
            log.contains(
                "error cannot process \(sandbox.root)/missing.git: cannot open repository at \(sandbox.root)/missing.git: no such file or directory"))
        #expect(log.contains("notice published status"))
        #expect(log.contains("info up to date at an empty branch"))
        #expect(try sandbox.git(["show", "main:specs/PAY-150/status.yaml"], in: good).contains("state: draft"))
        #expect(OnceRun(configuration: configuration, logger: logger).run() == 1)
        #expect(lines.all.last { $0.contains("demo") || $0.contains("up to date") }?.contains("up to date") == true)
    }
}

@Suite("Policy at the branch tip")
struct BranchPolicyTests {
    @Test("the packet root, severities and policy problems come from .handoff/policy.yaml at the tip")
    func policyApplies() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        for (path, text) in PacketTemplate.example(root: "handoffs") { try sandbox.write(text, to: path, in: work) }
        try sandbox.write(
            "packet_root: handoffs\nseverity: { contracts.security-undefined: error }\nbogus: 1\n",
            to: ".handoff/policy.yaml", in: work)
        let openapi = "\(work)/handoffs/PAY-142/contracts/openapi.yaml"
        let contract = try String(contentsOfFile: openapi, encoding: .utf8)
        try contract.replacingOccurrences(of: "security:\n  - bearerAuth: []\n", with: "").write(toFile: openapi, atomically: true, encoding: .utf8)
        try sandbox.commitAll("packet under handoffs/", in: work)
        let report = try checkTip(of: work)
        #expect(report.packets.map(\.id.rawValue) == ["PAY-142"])
        #expect(report.packets[0].findings.map { "\($0.rule) \($0.severity)" } == ["contracts.security-undefined error"])
        #expect(report.rootFindings.map { "\($0.file):\($0.line) \($0.rule)" } == [".handoff/policy.yaml:3 policy.invalid"])
    }
}

/// The packets at the tip of main checked under the tip's own policy, as `handoff validate --rev main` does.
func checkTip(of path: String) throws -> (packets: [PacketReport], rootFindings: [Finding]) {
    let repository = try Repository.open(at: path)
    let view = try GitTreeView(repository: repository, commit: try #require(try repository.referenceTarget("refs/heads/main")))
    let (policy, policyFindings) = try Policy.load(from: view)
    let checker = PacketChecker(configuration: policy.checkConfiguration)
    let (_, rootFindings) = try checker.packetIDs(in: view)
    return (try checker.checkAll(in: view), policyFindings + rootFindings)
}
