/// Bounds bracket nesting in GraphQL SDL before GraphQLSwift's recursive parser sees it.
///
/// It must count every bracket the parser will, so it skips only what the parser's lexer certainly skips:
/// comments and strings, delimited by the lexer's own rules, read as the lexer reads them (by UTF-8 byte).
/// Where it cannot be sure it counts: an extra bracket costs a refusal, a missed one the parser's stack.
enum BracketGuard {
    /// The position (1-based line, and column in Unicode scalars) of the first bracket nested deeper than
    /// `limit`, outside strings and `#` comments.
    static func firstTooDeep(_ text: String, limit: Int) -> (line: Int, column: Int)? {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { firstTooDeep(bytes: $0, limit: limit) }!
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r"), tab = UInt8(ascii: "\t")

    static func firstTooDeep(bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> (line: Int, column: Int)? {
        var depth = 0, line = 1, lineStart = 0
        var index = 0
        let count = bytes.count
        func at(_ offset: Int) -> UInt8? { offset < count ? bytes[offset] : nil }
        func isTripleQuote(_ offset: Int) -> Bool { at(offset) == quote && at(offset + 1) == quote && at(offset + 2) == quote }
        /// Steps over a line terminator at `index` ("\n", "\r" or "\r\n", as the lexer counts lines).
        func stepOverLineEnd() {
            index += bytes[index] == carriageReturn && at(index + 1) == newline ? 2 : 1
            line += 1
            lineStart = index
        }
        while index < count {
            let byte = bytes[index]
            switch byte {
            case newline, carriageReturn:
                stepOverLineEnd()
            case UInt8(ascii: "#"):
                // A comment runs to the first control character other than a tab ("\r" included).
                index += 1
                while index < count, bytes[index] > 0x1F || bytes[index] == tab { index += 1 }
            case quote where isTripleQuote(index):
                // A block string ends at the next `"""`, and `\"""` is an escaped one (the lexer takes it as
                // an escape only with more than four bytes left).
                index += 3
                while index < count {
                    if isTripleQuote(index) {
                        index += 3
                        break
                    }
                    if bytes[index] == backslash, count - index > 4, isTripleQuote(index + 1) {
                        index += 4
                    } else if bytes[index] == newline || bytes[index] == carriageReturn {
                        stepOverLineEnd()
                    } else {
                        index += 1
                    }
                }
            case quote:
                // A string ends at the next unescaped `"` or at the end of its line (where the lexer stops
                // with an error, so nothing after it is parsed).
                index += 1
                while index < count, bytes[index] != quote, bytes[index] != newline, bytes[index] != carriageReturn {
                    index += bytes[index] == backslash ? 2 : 1
                }
                if index < count, bytes[index] == quote { index += 1 }
            case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "("):
                depth += 1
                if depth > limit {
                    let column = bytes[lineStart...index].lazy.filter { $0 & 0xC0 != 0x80 }.count
                    return (line, column)
                }
                index += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ")"):
                depth = max(0, depth - 1)
                index += 1
            default:
                index += 1
            }
        }
        return nil
    }
}
