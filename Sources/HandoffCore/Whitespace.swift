import Foundation

/// Trimming `CharacterSet.whitespaces` (space, tab and the other space separators) off a text's ends.
enum Whitespace {
    /// `text.trimmingCharacters(in: .whitespaces)`, without Foundation where the ends are ASCII: there only
    /// a space or a tab is whitespace, and Foundation's trim (through `NSString`) was a tenth of a catch-up's
    /// delivery checks.
    static func trimmed(_ text: Substring) -> String {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == UInt8(ascii: " ") || utf8[start] == UInt8(ascii: "\t") { utf8.formIndex(after: &start) }
        while start < end {
            let last = utf8.index(before: end)
            guard utf8[last] == UInt8(ascii: " ") || utf8[last] == UInt8(ascii: "\t") else { break }
            end = last
        }
        // Another end byte may begin a separator such as U+00A0 or U+3000: Foundation decides those.
        guard start == end || (utf8[start] < 0x80 && utf8[utf8.index(before: end)] < 0x80) else {
            return text.trimmingCharacters(in: .whitespaces)
        }
        return String(text[start..<end])
    }

    /// ``trimmed(_:)-(Substring)`` of a whole string.
    static func trimmed(_ text: String) -> String { trimmed(Substring(text)) }
}
