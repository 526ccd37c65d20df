import Testing

@testable import HandoffCore

/// `APIOperation.matches(path:)` walks bytes instead of splitting: it must answer as the split did.
@Suite("Operation path matching")
struct OperationMatchTests {
    /// The former definition, kept as the reference.
    static func splitMatches(_ template: String, _ concrete: String) -> Bool {
        let expected = template.split(separator: "/", omittingEmptySubsequences: false)
        let given = concrete.split(separator: "/", omittingEmptySubsequences: false)
        guard expected.count == given.count else { return false }
        return zip(expected, given).allSatisfy { $0 == $1 || ($0.hasPrefix("{") && $0.hasSuffix("}") && !$1.isEmpty) }
    }

    static let pieces = ["/", "/", "//", "payments", "refunds", "{id}", "{", "}", "{}", "123", "é", "e\u{301}", "x", ""]

    @Test("random templates and paths: the byte walk and the split agree", arguments: [UInt64(7), 8, 9])
    func agree(seed: UInt64) {
        var random = PlaceholderScanTests.Mix(state: seed)
        func path() -> String { (0..<Int.random(in: 0...6, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined() }
        for _ in 0..<5_000 {
            let (template, concrete) = (path(), Bool.random(using: &random) ? path() : "")
            let operation = APIOperation(method: "GET", path: template, operationID: nil)
            #expect(operation.matches(path: concrete) == Self.splitMatches(template, concrete), "\(template) vs \(concrete)")
            #expect(operation.matches(path: template) == Self.splitMatches(template, template))
        }
    }

    @Test("templates match concrete paths segment by segment; canonically equal segments match")
    func examples() {
        let refunds = APIOperation(method: "POST", path: "/payments/{id}/refunds", operationID: nil)
        #expect(refunds.matches(path: "/payments/123/refunds"))
        #expect(refunds.matches(path: "/payments/{id}/refunds"))
        #expect(!refunds.matches(path: "/payments//refunds"))
        #expect(!refunds.matches(path: "/payments/123/refunds/1"))
        #expect(APIOperation(method: "GET", path: "/caf\u{E9}", operationID: nil).matches(path: "/cafe\u{301}"))
    }
}
