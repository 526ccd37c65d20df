/// An HTTP operation a contract defines: what an acceptance criterion may name.
public struct APIOperation: Sendable, Hashable, Codable {
    /// Upper-case method, e.g. `POST`.
    public var method: String
    /// The path template, e.g. `/payments/{id}/refunds`.
    public var path: String
    /// The operationId, when the contract gives one.
    public var operationID: String?

    /// True when `concretePath` (e.g. `/payments/123/refunds` or the template itself) fits this path template.
    ///
    /// Segment by segment over the UTF-8 bytes, allocating nothing: a catch-up asks this for every operation a
    /// criterion names, at every commit. Segments whose bytes differ are still compared as strings (canonical
    /// equivalence), as a split into substrings would.
    public func matches(path concretePath: String) -> Bool {
        var template = path.utf8[...]
        var actual = concretePath.utf8[...]
        let slash = UInt8(ascii: "/")
        while true {
            let templateEnd = template.firstIndex(of: slash) ?? template.endIndex
            let actualEnd = actual.firstIndex(of: slash) ?? actual.endIndex
            let expected = template[..<templateEnd]
            let given = actual[..<actualEnd]
            let isParameter = expected.count >= 2 && expected.first == UInt8(ascii: "{") && expected.last == UInt8(ascii: "}")
            guard expected.elementsEqual(given) || (isParameter && !given.isEmpty) || Substring(expected) == Substring(given) else {
                return false
            }
            let templateDone = templateEnd == template.endIndex
            let actualDone = actualEnd == actual.endIndex
            if templateDone || actualDone { return templateDone && actualDone }
            template = template[template.index(after: templateEnd)...]
            actual = actual[actual.index(after: actualEnd)...]
        }
    }
}
