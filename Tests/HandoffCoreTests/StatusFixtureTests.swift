import Foundation
import Testing

@testable import HandoffCore

/// Files written by the release before typed outcomes read back as typed values and render to the same bytes.
@Suite("Status files of 0.4.0")
struct StatusFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/status-0.4.0")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("status files read back and render byte for byte", arguments: ["PAY-142.status.yaml", "PAY-150.status.yaml"])
    func roundTrip(name: String) throws {
        let written = try Self.text(name)
        #expect(StatusFile.render(try StatusFile.parse(written)) == written)
    }

    @Test("rejections read back as their cases; only a refused submit's findings, which the file cannot hold, stay recorded text")
    func typedRejections() throws {
        let history = try StatusFile.parse(try Self.text("PAY-142.status.yaml")).history
        let rejections = history.compactMap(\.rejection)
        #expect(
            rejections == [
                .action(.notPermitted(.claim)),
                .recorded(reason: "delivery note incomplete: DELIVERY.md is missing"),
                .action(.wrongState(.accept, .inProgress)),
                .action(.alreadyInBlockState(blocked: true)),
                .specChangeNotPermitted,
                .deliveryChangeNotPermitted,
            ])
        #expect(history.filter { $0.outcome == .tampering }.map(\.kind) == [.statusEdit])
        let other = try StatusFile.parse(try Self.text("PAY-150.status.yaml")).history.compactMap(\.rejection)
        #expect(other == [.noRole(identity: "nobody@else.example")])
    }

    @Test("the board's policy and events read back, and the board renders byte for byte from them and the packets")
    func board() throws {
        let written = try Self.text("board.md")
        let (policy, events, _) = try BoardFile.parseState(written)
        var state = WorkflowState(policy: policy)
        state.events = events
        for name in ["PAY-142.status.yaml", "PAY-150.status.yaml"] {
            let status = try StatusFile.parse(try Self.text(name))
            state.packets[status.id] = status
        }
        #expect(BoardFile.render(state, processed: "5ca782c03c60", at: "2026-12-02T06:16:12Z") == written)
        #expect(events.map(\.event) == ["policy.changed", "rejected", "rejected", "tampering", "policy.unauthorized-change"])
    }
}
