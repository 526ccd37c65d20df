/// One pass over a criterion's UTF-8 bytes that yields its words, with no Foundation search: what the
/// smell rules need to know of each word (lowercased text, code or prose, number, sentence) is decided here.
struct SmellTokenizer {
    /// A word of the criterion.
    struct Token: Sendable {
        /// Byte range in the criterion's UTF-8.
        var start: Int
        /// One past the last byte.
        var end: Int
        /// The word with ASCII letters lowercased and a curly apostrophe made straight.
        var lowered: String
        /// Inside a code span or quotes, or shaped like an identifier, a path or a URL: never a smell.
        var isCode: Bool
        /// Holds a digit: a measure ("200", "1.5", "p99", "3rd").
        var isNumber: Bool
        /// The sentence (or `;`-separated clause) it belongs to.
        var sentence: Int
    }

    /// Splits `bytes` into tokens.
    static func tokens(_ text: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(text.count / 5)
        var index = 0
        var sentence = 0
        var inCode = false, inQuote = false
        let count = text.count
        while index < count {
            let byte = text[index]
            if byte == UInt8(ascii: "`") {
                inCode.toggle()
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inQuote.toggle()
                index += 1
                continue
            }
            if byte == 0xE2, index + 2 < count, text[index + 1] == 0x80, text[index + 2] == 0x9C || text[index + 2] == 0x9D {
                inQuote = text[index + 2] == 0x9C  // “ opens, ” closes
                index += 3
                continue
            }
            if byte == UInt8(ascii: ";") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "\n") {
                sentence += 1
                index += 1
                continue
            }
            guard isWordByte(byte) else {
                index += byte == 0xE2 ? 3 : 1  // a three-byte punctuation mark or symbol is skipped whole
                continue
            }
            // A word: word bytes, joined by ' ’ - / . : @ when a word byte follows the joiner.
            let start = index
            var hasDigit = false, hasUnderscore = false, hasSlash = false, hasDot = false, hasColon = false
            var camel = false, previousLower = false
            while index < count {
                let current = text[index]
                if isWordByte(current) {
                    if current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") { hasDigit = true }
                    if current == UInt8(ascii: "_") { hasUnderscore = true }
                    let upper = current >= UInt8(ascii: "A") && current <= UInt8(ascii: "Z")
                    if upper && previousLower { camel = true }
                    previousLower = current >= UInt8(ascii: "a") && current <= UInt8(ascii: "z")
                    index += 1
                    continue
                }
                let joinerLength = joiner(text, index)
                if joinerLength > 0, index + joinerLength < count, isWordByte(text[index + joinerLength]) {
                    switch current {
                    case UInt8(ascii: "/"): hasSlash = true
                    case UInt8(ascii: "."): hasDot = true
                    case UInt8(ascii: ":"), UInt8(ascii: "@"): hasColon = true
                    default: break
                    }
                    previousLower = false
                    index += joinerLength
                    continue
                }
                break
            }
            let end = index
            let lowered = lowercase(text[start..<end])
            // "and/or", "on/off": two short words joined by a slash are prose, not a path.
            let proseSlash = hasSlash && !hasDigit && lowered.utf8.count <= 13 && lowered.split(separator: "/").count == 2
            let looksLikeCode = hasUnderscore || camel || hasColon || hasDot && !hasDigit || hasSlash && !proseSlash
            tokens.append(
                Token(
                    start: start, end: end, lowered: lowered, isCode: inCode || inQuote || looksLikeCode,
                    isNumber: hasDigit, sentence: sentence))
            // A full stop ends the sentence when a space or the end follows ("v1.2" and "e.g" stay inside the word).
            if index < count, text[index] == UInt8(ascii: "."), index + 1 == count || text[index + 1] == UInt8(ascii: " ") {
                sentence += 1
            }
        }
        return tokens
    }

    /// Letters, digits, `_`, `%`, and non-ASCII bytes outside U+2000–U+2FFF (letters, ligatures like "ﬁ").
    @inline(__always)
    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "%"):
            return true
        case 0xE2:
            // U+2000–U+2FFF: punctuation (’ “ ” – …), arrows and symbols, never part of a word.
            return false
        case 0x80...:
            return true
        default:
            return false
        }
    }

    /// The length of a joiner at `index` (`'`, `’`, `-`, `/`, `.`, `:`, `@`), or 0.
    @inline(__always)
    private static func joiner(_ text: [UInt8], _ index: Int) -> Int {
        switch text[index] {
        case UInt8(ascii: "'"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "@"): 1
        case 0xE2 where index + 2 < text.count && text[index + 1] == 0x80 && text[index + 2] == 0x99: 3
        default: 0
        }
    }

    /// ASCII-lowercases `bytes`, with ’ written as '.
    private static func lowercase(_ bytes: ArraySlice<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0xE2, index + 2 < bytes.endIndex, bytes[index + 1] == 0x80, bytes[index + 2] == 0x99 {
                output.append(UInt8(ascii: "'"))
                index += 3
                continue
            }
            output.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
