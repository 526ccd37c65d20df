import Foundation
import Testing

@testable import HandoffCore

/// The fold, commit by commit, without git: every transition of DESIGN.md §4 and its refusals.
@Suite("Workflow fold")
struct WorkflowFoldTests {
    static let client = "ana@acme.example", contractor = "dev@contractors.example", reviewer = "rita@acme.example"
    static let otherContractor = "eve@contractors.example", stranger = "nobody@else.example", op = "ops@acme.example"
    static let id = PacketID("PAY-142")!

    static var policy: Policy {
        var policy = Policy()
        policy.roles = ["client": ["*@acme.example"], "contractor": ["*@contractors.example"], "reviewer": [reviewer]]
        return policy
    }

    static func report(errors: Int, reviewers: [String] = [reviewer], dependsOn: [String] = []) -> PacketReport {
        let findings = (0..<errors).map { Finding(.contextPlaceholder, file: "specs/PAY-142/context.md", line: $0 + 1, message: "TBD") }
        let manifest = Manifest(
            id: "PAY-142", title: "Refunds", scope: .finite, client: "payments", reviewers: reviewers,
            due: nil, estimate: nil, dependsOn: dependsOn)
        return PacketReport(id: id, folder: "specs/PAY-142", manifest: manifest, criteria: ["AC-1"], findings: findings)
    }

    /// A tiny history driver: each call is one commit.
    struct Driver {
        var state = WorkflowState(policy: WorkflowFoldTests.policy)
        let fold = WorkflowFold(operators: [WorkflowFoldTests.op])
        var count = 0

        mutating func commit(
            _ who: String, trailers: [String] = [], touched: [PacketID: PacketChange] = [:],
            delivery: [PacketID: [Finding]] = [:], policy: (Policy, [Finding])? = nil, board: Bool = false
        ) {
            count += 1
            let input = CommitInput(
                id: String(format: "%040x", count), identity: who,
                time: "2026-11-\(String(format: "%02d", count))T10:00:00Z", actionTrailers: trailers,
                touched: touched, touchedBoard: board, policyChange: policy, deliveryFindings: delivery)
            fold.apply(input, to: &state)
        }

        var packet: PacketStatus { state.packets[WorkflowFoldTests.id]! }
        var last: HistoryEntry { packet.history.last! }
    }

    @Test("the full life of a packet: draft, ready, claim, failed and good submit, changes, accept")
    func lifecycle() {
        var d = Driver()
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 2))])
        #expect(d.packet.state == .draft)
        #expect(d.packet.errors == 2)
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0))])
        #expect(d.packet.state == .ready)
        #expect(d.packet.since == "2026-11-02T10:00:00Z")
        d.commit(Self.contractor, trailers: ["claim PAY-142 starting Monday"])
        #expect(d.packet.state == .inProgress)
        #expect(d.packet.assignee == Self.contractor)
        #expect(d.last.note == "starting Monday")
        let gap = Finding(
            .deliveryCriterionUncovered, file: "specs/PAY-142/delivery/DELIVERY.md", message: "AC-1 has no evidence in the delivery note")
        d.commit(Self.contractor, trailers: ["submit PAY-142"], touched: [Self.id: PacketChange(delivery: true)], delivery: [Self.id: [gap]])
        #expect(d.packet.state == .inProgress)
        #expect(d.last.note == "rejected: delivery note incomplete: AC-1 has no evidence in the delivery note")
        d.commit(Self.contractor, trailers: ["submit PAY-142"], touched: [Self.id: PacketChange(delivery: true)], delivery: [Self.id: []])
        #expect(d.packet.state == .inReview)
        d.commit(Self.reviewer, trailers: ["request-changes PAY-142 AC-2 evidence is a screenshot"])
        #expect(d.packet.state == .inProgress)
        #expect(d.packet.round == 2)
        d.commit(Self.contractor, trailers: ["submit PAY-142"], delivery: [Self.id: []])
        #expect(d.packet.state == .inReview)
        d.commit(Self.reviewer, trailers: ["accept PAY-142"])
        #expect(d.packet.state == .delivered)
        #expect(
            d.packet.history.map(\.action) == [
                "created", "spec-change", "claim", "delivery-change", "submit", "delivery-change",
                "submit", "request-changes", "submit", "accept",
            ])
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 1))])
        #expect(d.packet.state == .delivered)
        #expect(d.last.note == "changed after delivery; the packet stays delivered")
    }

    @Test("forbidden and impossible actions change nothing and say why")
    func forbidden() {
        var d = Driver()
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0))])
        d.commit(Self.client, trailers: ["claim PAY-142"])
        #expect(d.packet.state == .ready)
        #expect(d.last.note == "rejected: only contractors may claim")
        d.commit(Self.contractor, trailers: ["accept PAY-142"])
        #expect(d.last.note.hasPrefix("rejected: only a packet in review"))
        d.commit(Self.contractor, trailers: ["claim PAY-142"])
        d.commit(Self.otherContractor, trailers: ["submit PAY-142"], delivery: [Self.id: []])
        #expect(d.packet.state == .inProgress)
        #expect(d.last.note == "rejected: only the assignee may submit")
        d.commit(Self.contractor, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0))])
        #expect(d.last.note == "rejected: only clients and operators may change a packet outside delivery/")
        d.commit(Self.otherContractor, touched: [Self.id: PacketChange(delivery: true)])
        #expect(d.last.note == "rejected: only the assignee and operators may change delivery/")
        d.commit(Self.stranger, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0))])
        #expect(d.last.note == "rejected: nobody@else.example holds no role in this repository")
        d.commit(Self.contractor, touched: [Self.id: PacketChange(status: true)])
        #expect(d.last.action == "tampering")
        d.commit(Self.contractor, board: true)
        d.commit(Self.contractor, trailers: ["claim NOPE-1", "approve PAY-142", "claim", "claim bad/id"])
        #expect(d.state.events.map(\.event) == ["tampering", "rejected", "rejected", "rejected", "rejected"])
        #expect(d.state.events.last?.note.contains("not a packet id") == true)
        #expect(d.state.events[2].note.contains("unknown action 'approve'"))
        #expect(d.packet.state == .inProgress)
    }

    @Test("claims wait for delivered dependencies; reviewers come from the manifest")
    func dependencies() {
        var d = Driver()
        let dependency = PacketID("PAY-120")!
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0, dependsOn: ["PAY-120"]))])
        d.commit(Self.contractor, trailers: ["claim PAY-142"])
        #expect(d.last.note == "rejected: dependencies not delivered yet: PAY-120")
        var other = Self.report(errors: 0)
        other.id = dependency
        d.commit(Self.client, touched: [dependency: PacketChange(spec: true, report: other)])
        d.commit(Self.contractor, trailers: ["claim PAY-120"])
        d.commit(Self.contractor, trailers: ["submit PAY-120"], delivery: [dependency: []])
        d.commit(Self.client, trailers: ["accept PAY-120"])
        #expect(d.state.packets[dependency]?.history.last?.note == "rejected: only a reviewer of the packet may accept")
        d.commit(Self.reviewer, trailers: ["accept PAY-120"])
        d.commit(Self.contractor, trailers: ["claim PAY-142"])
        #expect(d.packet.state == .inProgress)
    }

    @Test("cancel, reopen, block and unblock follow who may")
    func cancelReopenBlock() {
        var d = Driver()
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0))])
        d.commit(Self.contractor, trailers: ["block PAY-142"])
        #expect(d.last.note == "rejected: only clients, the assignee and operators may block")
        d.commit(Self.client, trailers: ["block PAY-142 waiting for legal"])
        #expect(d.packet.blocked)
        d.commit(Self.contractor, trailers: ["claim PAY-142"])
        #expect(d.last.note == "rejected: the packet is blocked")
        d.commit(Self.op, trailers: ["unblock PAY-142", "cancel PAY-142"])
        #expect(d.packet.state == .cancelled)
        d.commit(Self.contractor, trailers: ["reopen PAY-142"])
        #expect(d.packet.state == .cancelled)
        d.commit(Self.client, trailers: ["reopen PAY-142"])
        #expect(d.packet.state == .ready)
    }

    @Test("delivery changes during review send the packet back; spec revisions in progress are recorded")
    func revisions() {
        var d = Driver()
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 0))])
        d.commit(Self.contractor, trailers: ["claim PAY-142"])
        d.commit(Self.client, touched: [Self.id: PacketChange(spec: true, report: Self.report(errors: 1))])
        #expect(d.packet.state == .inProgress)
        #expect(d.last.note == "spec revised; it now has 1 error(s)")
        #expect(d.packet.specRevision == String(format: "%040x", 3))
        d.commit(Self.contractor, trailers: ["submit PAY-142"], delivery: [Self.id: []])
        d.commit(Self.contractor, touched: [Self.id: PacketChange(delivery: true)])
        #expect(d.packet.state == .inProgress)
        #expect(d.last.note == "delivery changed during review: submit again")
    }

    @Test("only operators change the policy; a broken policy keeps the last good one")
    func policyChanges() {
        var d = Driver()
        var stricter = Self.policy
        stricter.requireReady = true
        d.commit(Self.client, policy: (stricter, []))
        #expect(d.state.events.map(\.event) == ["policy.unauthorized-change"])
        #expect(!d.state.policy.requireReady)
        d.commit(Self.op, policy: (stricter, [Finding(.policyInvalid, file: Policy.path, line: 2, message: "bad")]))
        #expect(d.state.events.last?.event == "policy.invalid")
        #expect(!d.state.policy.requireReady)
        d.commit(Self.op, policy: (stricter, []))
        #expect(d.state.policy.requireReady)
    }

    @Test("email patterns match with * only, case-insensitively, in linear time")
    func patterns() {
        #expect(RoleBook.matches("Ana@ACME.example", pattern: "*@acme.example"))
        #expect(!RoleBook.matches("ana@acme.example.evil", pattern: "*@acme.example"))
        #expect(RoleBook.matches("a@b", pattern: "*"))
        #expect(!RoleBook.matches(String(repeating: "a", count: 10_000) + "b", pattern: String(repeating: "*a", count: 100) + "*c"))
    }
}

@Suite("Status and board files")
struct StatusFileTests {
    @Test("status.yaml round-trips byte for byte, hostile strings included")
    func statusRoundTrip() throws {
        var driver = WorkflowFoldTests.Driver()
        driver.commit(
            WorkflowFoldTests.client, touched: [WorkflowFoldTests.id: PacketChange(spec: true, report: WorkflowFoldTests.report(errors: 1))])
        driver.commit(WorkflowFoldTests.client, trailers: ["block PAY-142 \"quoted\" -->\t\\ ünïcode \u{2028}"])
        var status = driver.packet
        status.title = "Refunds: \"partial\" | full\nsecond line \u{FFFF}\u{FFFE}"  // outside YAML's printable set
        status.findings[0].term = "fast"
        status.findings[0].termClass = "ambiguous-adverb-adjective"
        let text = StatusFile.render(status)
        #expect(text.hasPrefix("# Written by handoffd"))
        let parsed = try StatusFile.parse(text)
        #expect(parsed == status)
        #expect(StatusFile.render(parsed) == text)
        #expect(text.contains("state: draft\n"))
        #expect(text.contains("  - at: \"2026-11-02T10:00:00Z\"\n"))
    }

    @Test("the board lists packets by state and carries the policy and events it needs to resume")
    func board() throws {
        var driver = WorkflowFoldTests.Driver()
        driver.commit(
            WorkflowFoldTests.client, touched: [WorkflowFoldTests.id: PacketChange(spec: true, report: WorkflowFoldTests.report(errors: 0))])
        driver.commit(WorkflowFoldTests.contractor, trailers: ["approve PAY-142 --> <!-- |"])
        let text = BoardFile.render(driver.state, processed: String(repeating: "a", count: 40), at: "2026-11-02T10:00:00Z")
        #expect(text.contains("## Ready (1)\n"))
        #expect(text.contains("| PAY-142 | Refunds | — | 2026-11-01 | 100 | 0 |"))
        #expect(text.components(separatedBy: "-->").count == 3, "only the header comment and the state block close")
        let (policy, events, _) = try BoardFile.parseState(text)
        #expect(policy == driver.state.policy)
        #expect(events == driver.state.events)
        #expect(
            BoardFile.render(WorkflowState(policy: policy), processed: "x", at: "t")
                == BoardFile.render(WorkflowState(policy: driver.state.policy), processed: "x", at: "t"))
    }
}

@Suite("Status summaries")
struct StatusSummaryTests {
    @Test("the quick summary agrees with the full parse, hostile strings included")
    func agrees() throws {
        var driver = WorkflowFoldTests.Driver()
        driver.commit(
            WorkflowFoldTests.client, touched: [WorkflowFoldTests.id: PacketChange(spec: true, report: WorkflowFoldTests.report(errors: 2))])
        driver.commit(WorkflowFoldTests.client, trailers: ["block PAY-142"])
        var status = driver.packet
        status.title = "Quotes \" back\\slash \u{1F600} \u{0001} tab\t"
        status.assignee = "dev@contractors.example"
        let text = StatusFile.render(status)
        let summary = try #require(StatusFile.summary(text))
        #expect(
            summary
                == StatusSummary(
                    id: status.id, title: status.title, state: status.state, since: status.since,
                    assignee: status.assignee, blocked: true, score: status.score, findings: 2))
        #expect(StatusFile.summary("state: delivered\n") == nil)
    }
}
