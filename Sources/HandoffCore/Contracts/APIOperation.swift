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
        // Both ASCII (nearly always): a byte is a character, and no two byte runs are canonically equivalent.
        if let answer = path.utf8.withContiguousStorageIfAvailable({ template in
            concretePath.utf8.withContiguousStorageIfAvailable { actual in Self.asciiMatch(template: template, actual: actual) }
        }), let answer, let answer {
            return answer
        }
        var template = path.utf8[...]
        var actual = concretePath.utf8[...]
        let slash = UInt8(ascii: "/")
        while true {
            let templateEnd = template.firstIndex(of: slash) ?? template.endIndex
            let actualEnd = actual.firstIndex(of: slash) ?? actual.endIndex
            let expected = template[..<templateEnd]
            let given = actual[..<actualEnd]
            let isParameter = expected.count >= 2 && expected.first == UInt8(ascii: "{") && expected.last == UInt8(ascii: "}")
            // Distinct ASCII byte runs are never canonically equivalent: only other text needs the string compare.
            guard
                expected.elementsEqual(given) || (isParameter && !given.isEmpty)
                    || (!(expected.allSatisfy { $0 < 0x80 } && given.allSatisfy { $0 < 0x80 }) && Substring(expected) == Substring(given))
            else {
                return false
            }
            let templateDone = templateEnd == template.endIndex
            let actualDone = actualEnd == actual.endIndex
            if templateDone || actualDone { return templateDone && actualDone }
            template = template[template.index(after: templateEnd)...]
            actual = actual[actual.index(after: actualEnd)...]
        }
    }

    /// ``matches(path:)`` on ASCII bytes, segment by segment as there; nil when either holds another byte.
    static func asciiMatch(template: UnsafeBufferPointer<UInt8>, actual: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard template.allSatisfy({ $0 < 0x80 }), actual.allSatisfy({ $0 < 0x80 }) else { return nil }
        let slash = UInt8(ascii: "/")
        var t = 0, a = 0
        while true {
            var templateEnd = t
            while templateEnd < template.count && template[templateEnd] != slash { templateEnd += 1 }
            var actualEnd = a
            while actualEnd < actual.count && actual[actualEnd] != slash { actualEnd += 1 }
            let isParameter =
                templateEnd - t >= 2 && template[t] == UInt8(ascii: "{") && template[templateEnd - 1] == UInt8(ascii: "}")
            let equal = templateEnd - t == actualEnd - a && (0..<(templateEnd - t)).allSatisfy { template[t + $0] == actual[a + $0] }
            guard equal || (isParameter && actualEnd > a) else { return false }
            let templateDone = templateEnd == template.count
            let actualDone = actualEnd == actual.count
            if templateDone || actualDone { return templateDone && actualDone }
            t = templateEnd + 1
            a = actualEnd + 1
        }
    }
}
