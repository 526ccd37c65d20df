/// Refuses GraphQL SDL that GraphQLSwift cannot take safely, before it sees it: brackets nested deeper than a
/// limit (its parser recurses per bracket) and a `\u` escape cut short by the end of the text (its lexer
/// reads the four digits without a bound and traps).
///
/// It must count every bracket the parser will, so it skips only what the parser's lexer certainly skips:
/// comments and strings, delimited by the lexer's own rules, read as the lexer reads them (by UTF-8 byte).
/// Where it cannot be sure it counts: an extra bracket costs a refusal, a missed one the parser's stack.
enum BracketGuard {
    /// Why a text is refused, and where (1-based line, and column in Unicode scalars).
    enum Problem: Equatable {
        /// A bracket nested deeper than the limit.
        case tooDeep(line: Int, column: Int)
        /// A string's `\u` escape with fewer than four characters after it before the text ends.
        case unfinishedEscape(line: Int, column: Int)
    }

    /// The first problem in `text`, with brackets counted outside strings and `#` comments.
    static func problem(in text: String, limit: Int) -> Problem? {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { problem(in: $0, limit: limit) }!
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r"), tab = UInt8(ascii: "\t")

    static func problem(in bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Problem? {
        var depth = 0, line = 1, lineStart = 0
        var index = 0
        let count = bytes.count
        func at(_ offset: Int) -> UInt8? { offset < count ? bytes[offset] : nil }
        func isTripleQuote(_ offset: Int) -> Bool { at(offset) == quote && at(offset + 1) == quote && at(offset + 2) == quote }
        func column(_ offset: Int) -> Int { bytes[lineStart...offset].lazy.filter { $0 & 0xC0 != 0x80 }.count }
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
                    if bytes[index] == backslash, at(index + 1) == UInt8(ascii: "u"), count - (index + 2) < 4 {
                        return .unfinishedEscape(line: line, column: column(index))
                    }
                    index += bytes[index] == backslash ? 2 : 1
                }
                if index < count, bytes[index] == quote { index += 1 }
            case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "("):
                depth += 1
                if depth > limit { return .tooDeep(line: line, column: column(index)) }
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
