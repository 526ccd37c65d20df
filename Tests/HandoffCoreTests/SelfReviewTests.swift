import Testing

@testable import HandoffCore

/// Issue 11, item 9: nobody reviews their own delivery (DESIGN.md §4).
@Suite("Self review")
struct SelfReviewTests {
    typealias Fold = WorkflowFoldTests

    /// A packet in review, delivered by `Fold.contractor`, whose reviewers list that contractor too.
    static func inReviewByAReviewingContractor() -> WorkflowFoldTests.Driver {
        var d = Fold.Driver()
        var policy = Fold.policy
        policy.roles["reviewer"] = [Fold.reviewer, Fold.contractor]
        d.state.policy = policy
        let report = Fold.report(errors: 0, reviewers: [Fold.reviewer, Fold.contractor])
        d.commit(Fold.client, touched: [Fold.id: PacketChange(spec: true, report: report)])
        d.commit(Fold.contractor, trailers: ["claim PAY-142"])
        d.commit(Fold.contractor, trailers: ["submit PAY-142"], touched: [Fold.id: PacketChange(delivery: true)], delivery: [Fold.id: []])
        return d
    }

    @Test(
        "a contractor listed as reviewer cannot accept or request changes on the delivery they submitted",
        arguments: [
            WorkflowAction.accept, .requestChanges,
        ])
    func ownDeliveryIsRefused(_ action: WorkflowAction) {
        var d = Self.inReviewByAReviewingContractor()
        #expect(d.packet.state == .inReview && d.packet.assignee == Fold.contractor)
        d.commit(Fold.contractor, trailers: ["\(action.rawValue) PAY-142 looks good to me"])
        #expect(d.packet.state == .inReview)
        #expect(d.packet.round == 1)
        #expect(d.last.note == "rejected: " + ActionRejection.ownDelivery(action, reviewer: Fold.contractor).reason)
        #expect(d.last.note.contains("nobody reviews their own delivery"))
        // Another reviewer of the packet still can.
        d.commit(Fold.reviewer, trailers: ["\(action.rawValue) PAY-142"])
        #expect(d.packet.state == (action == .accept ? .delivered : .inProgress))
    }

    @Test("a long list of delivery findings is named in part and counted, so a history note stays small")
    func deliveryNoteIsBounded() {
        let findings = (1...5_000).map {
            Finding(.deliveryCriterionUncovered, file: "specs/PAY-142/delivery/DELIVERY.md", message: "AC-\($0) has no evidence in the delivery note")
        }
        let reason = ActionRejection.deliveryIncomplete(findings).reason
        #expect(reason.hasSuffix("; and 4990 more"))
        #expect(reason.utf8.count < 1_000)
    }
}
