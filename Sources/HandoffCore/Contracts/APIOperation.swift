/// An HTTP operation a contract defines: what an acceptance criterion may name.
public struct APIOperation: Sendable, Hashable, Codable {
    /// Upper-case method, e.g. `POST`.
    public var method: String
    /// The path template, e.g. `/payments/{id}/refunds`.
    public var path: String
    /// The operationId, when the contract gives one.
    public var operationID: String?

    /// True when `concretePath` (e.g. `/payments/123/refunds` or the template itself) fits this path template.
    public func matches(path concretePath: String) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: false)
        let actual = concretePath.split(separator: "/", omittingEmptySubsequences: false)
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { expected, given in
            expected == given || (expected.hasPrefix("{") && expected.hasSuffix("}") && !given.isEmpty)
        }
    }
}
