internal import Yams

/// What a YAML scalar is, by the YAML 1.1 rules PyYAML resolves plain scalars with (Yams' differ only in
/// reading `1e5`, without a dot, as a float), so that a type check means what the peers' loaders read.
///
/// A byte scan instead of Yams' regular expressions: a contract check asks this of every scalar it reads.
enum ScalarKind: Hashable, Sendable {
    case string, integer, float, boolean, null, timestamp

    init(_ scalar: Node.Scalar) {
        if let tagged = Self.tagged(scalar.tag.description) {
            self = tagged
        } else if scalar.style == .plain || scalar.style == .any {
            var text = scalar.string
            self = text.withUTF8 { Self.classify($0) }
        } else {
            self = .string
        }
    }

    /// The kind an explicit tag names; nil for no tag (`""`), whose scalar is resolved from its text.
    static func tagged(_ tag: String) -> ScalarKind? {
        switch tag {
        case "": nil
        case "tag:yaml.org,2002:int": .integer
        case "tag:yaml.org,2002:float": .float
        case "tag:yaml.org,2002:bool": .boolean
        case "tag:yaml.org,2002:null": .null
        default: .string
        }
    }

    /// The kind of a plain (unquoted, untagged) scalar, from its UTF-8 bytes.
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>) -> ScalarKind {
        guard let first = bytes.first else { return .null }
        switch first {
        case UInt8(ascii: "~"): return bytes.count == 1 ? .null : .string
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            return matches(bytes, ["null", "Null", "NULL"]) ? .null : matches(bytes, ["no", "No", "NO"]) ? .boolean : .string
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "o"), UInt8(ascii: "O"):
            return matches(bytes, ["yes", "Yes", "YES", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"])
                ? .boolean : .string
        case UInt8(ascii: "."):
            if matches(bytes, [".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"]) { return .float }
            return number(bytes)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"):
            if matches(bytes, ["-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF"]) { return .float }
            if isTimestamp(bytes) { return .timestamp }
            return number(bytes)
        default:
            return .string
        }
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ words: [StaticString]) -> Bool {
        words.contains { word in
            word.utf8CodeUnitCount == bytes.count
                && word.withUTF8Buffer { buffer in buffer.elementsEqual(bytes) }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// `YYYY-MM-DD` and what may follow it (a time), as YAML 1.1 timestamps begin.
    private static func isTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 8, bytes[0..<4].allSatisfy(isDigit), bytes[4] == UInt8(ascii: "-"), isDigit(bytes[5]) else { return false }
        var index = 6
        if isDigit(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "-"), index + 1 < bytes.count, isDigit(bytes[index + 1]) else { return false }
        index += 2
        if index < bytes.count, isDigit(bytes[index]) { index += 1 }
        if index == bytes.count { return true }
        // A time follows a 'T', 't' or spaces; anything else makes the scalar a string.
        let separator = bytes[index]
        return separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ")
            || separator == UInt8(ascii: "\t")
    }

    /// Integers (decimal, 0x, 0o-style octal, 0b, with `_`) and floats with a dot (YAML 1.1 needs one, and a
    /// signed exponent); sexagesimal numbers are read as strings, which no contract writes.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> ScalarKind {
        var index = 0
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { index = 1 }
        guard index < bytes.count else { return .string }
        let rest = bytes[index...]
        if rest.count > 2, rest[index] == UInt8(ascii: "0") {
            let marker = rest[index + 1]
            let digits = rest.dropFirst(2)
            if marker == UInt8(ascii: "x") {
                return digits.allSatisfy { isDigit($0) || (0x61...0x66).contains($0 | 0x20) || $0 == UInt8(ascii: "_") } ? .integer : .string
            }
            if marker == UInt8(ascii: "b") {
                return digits.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") || $0 == UInt8(ascii: "_") } ? .integer : .string
            }
        }
        var sawDigit = false, sawDot = false, sawExponent = false
        var position = index
        while position < bytes.count {
            let byte = bytes[position]
            if isDigit(byte) {
                sawDigit = true
            } else if byte == UInt8(ascii: "_") {
                guard sawDigit || sawDot else { return .string }
            } else if byte == UInt8(ascii: ".") {
                guard !sawDot, !sawExponent else { return .string }
                sawDot = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard sawDot, !sawExponent, position + 2 < bytes.count,
                    bytes[position + 1] == UInt8(ascii: "-") || bytes[position + 1] == UInt8(ascii: "+")
                else { return .string }
                sawExponent = true
                position += 1
            } else {
                return .string
            }
            position += 1
        }
        if sawDot { return sawDigit || bytes.count > index + 1 ? .float : .string }
        return sawDigit ? .integer : .string
    }
}
