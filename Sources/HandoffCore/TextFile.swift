import Foundation

/// Reads a packet file as text through a ``TreeView``, turning every way it can be unusable into a finding.
enum TextFile {
    /// The outcome: the text, or nil with the finding that says why there is none.
    enum Outcome {
        case text(String)
        case missing
        case unusable(Finding)
    }

    static func read(_ path: String, from view: any TreeView, limits: CheckLimits) throws -> Outcome {
        var cost = CheckCost()
        return try read(path, from: view, limits: limits, cost: &cost)
    }

    /// Reads like ``read(_:from:limits:)``, adding the bytes read to `cost` (a file over the limit costs the
    /// limit: that much was read before it was refused).
    static func read(_ path: String, from view: any TreeView, limits: CheckLimits, cost: inout CheckCost) throws -> Outcome {
        let read = try view.read(path, limit: limits.maxFileBytes)
        switch read {
        case .bytes(let bytes): cost.bytes += bytes.count
        case .tooLarge: cost.bytes += limits.maxFileBytes
        case .missing, .notAFile: break
        }
        switch read {
        case .missing:
            return .missing
        case .notAFile(let kind):
            return .unusable(
                Finding(
                    .unsupportedEntry, file: path,
                    message: "\(baseName(path)) is a \(kind.rawValue), not a regular file"))
        case .tooLarge(let size):
            return .unusable(
                Finding(
                    .fileTooLarge, file: path,
                    message: "\(baseName(path)) is \(size) bytes, over the limit of \(limits.maxFileBytes)"))
        case .bytes(let bytes):
            if let offset = bytes.firstIndex(of: 0) {
                return .unusable(
                    Finding(
                        .fileBinary, file: path, line: lineNumber(in: bytes, at: offset),
                        message: "\(baseName(path)) holds binary data (a NUL byte at offset \(offset))"))
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .unusable(
                    Finding(
                        .fileNotUTF8, file: path, line: firstInvalidUTF8Line(bytes),
                        message: "\(baseName(path)) is not valid UTF-8"))
            }
            return .text(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        }
    }

    private static func lineNumber(in bytes: [UInt8], at offset: Int) -> Int {
        bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }

    private static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }
}

/// Placeholder words that mean "someone still has to write this".
enum Placeholder {
    /// Upper-case tokens, matched as whole words.
    static let tokens: Set<Substring> = ["TBD", "TBS", "TBR", "TODO", "FIXME", "XXX", "TBA"]
    /// Whether a byte starts one of the tokens, by byte value.
    static let tokenInitials: [Bool] = (0..<256).map { byte in tokens.contains { $0.utf8.first == UInt8(byte) } }

    /// The first placeholder in `line`, if any, with its 1-based column; code spans (`TODO`) are not prose.
    static func find(in line: Substring) -> (word: String, column: Int)? {
        // Nearly every line of a spec is ASCII: there a byte is a character, and a letter or digit is one of
        // 62 bytes, so the scan needs no Unicode property lookups (a catch-up's costliest check without it).
        // "\r\n" is one character, not two: such a line takes the general path.
        if let found = line.utf8.withContiguousStorageIfAvailable({ asciiFind(in: $0) }), let answer = found {
            return answer
        }
        return unicodeFind(in: line)
    }

    /// The ASCII scan: `.some(nil)` when `bytes` is ASCII without "\r\n" and holds no placeholder, nil when the
    /// general path must decide.
    static func asciiFind(in bytes: UnsafeBufferPointer<UInt8>) -> (word: String, column: Int)?? {
        guard ASCIIWords.isPlain(bytes) else { return nil }
        var wordStart = -1
        var inCode = false
        func token(_ start: Int, _ end: Int) -> (word: String, column: Int)? {
            // A word whose first byte starts no token is passed over without a String or a hash.
            guard start >= 0, end - start >= 3, end - start <= 5, tokenInitials[Int(bytes[start])] else { return nil }
            let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return tokens.contains(Substring(word)) ? (word, start + 1) : nil
        }
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "`") {
                inCode.toggle()
                if let found = token(wordStart, index) { return .some(found) }
                wordStart = -1
                continue
            }
            if inCode { continue }
            if ASCIIWords.isWordByte(byte) {
                if wordStart < 0 { wordStart = index }
            } else {
                if let found = token(wordStart, index) { return .some(found) }
                wordStart = -1
            }
        }
        if let found = token(wordStart, bytes.count) { return .some(found) }
        // "lorem ipsum", case-insensitively, anywhere in the line (code spans included, as in the general path).
        // Its letters fold with `| 0x20`; its space must be a space.
        let needle = Array("lorem ipsum".utf8)
        guard bytes.count >= needle.count else { return .some(nil) }
        for start in 0...(bytes.count - needle.count) where bytes[start] | 0x20 == needle[0] {
            let matched = needle.indices.allSatisfy { offset in
                needle[offset] == UInt8(ascii: " ") ? bytes[start + offset] == needle[offset] : bytes[start + offset] | 0x20 == needle[offset]
            }
            if matched { return .some(("lorem ipsum", start + 1)) }
        }
        return .some(nil)
    }

    /// The general scan, character by character.
    static func unicodeFind(in line: Substring) -> (word: String, column: Int)? {
        var column = 1
        // The current word as a slice of the line (its start, and its end once a character ends it): built
        // by appending, a word of a few hundred thousand letters cost quadratic time.
        var wordStart: (index: Substring.Index, column: Int)?
        var inCode = false
        /// The placeholder the word ending at `end` is, if it is one.
        func ended(at end: Substring.Index) -> (word: String, column: Int)? {
            defer { wordStart = nil }
            guard let start = wordStart, tokens.contains(line[start.index..<end]) else { return nil }
            return (String(line[start.index..<end]), start.column)
        }
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == "`" {
                inCode.toggle()
                if let found = ended(at: index) { return found }
            } else if !inCode {
                if character.isLetter || character.isNumber {
                    if wordStart == nil { wordStart = (index, column) }
                } else if let found = ended(at: index) {
                    return found
                }
            }
            column += 1
            line.formIndex(after: &index)
        }
        if let found = ended(at: line.endIndex) { return found }
        if let range = line.range(of: "lorem ipsum", options: .caseInsensitive) {
            return ("lorem ipsum", line.distance(from: line.startIndex, to: range.lowerBound) + 1)
        }
        return nil
    }
}

/// Scanning ASCII lines as bytes, where a byte is a character: the placeholder scan and the word count
/// share it, each keeping a general path (character by character) for every other line.
enum ASCIIWords {
    /// Whether `byte` is part of a word: what `Character.isLetter || isNumber` says of an ASCII character.
    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Whether a line may be scanned as bytes: all ASCII, and no "\r\n" (one character of two bytes).
    static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte >= 0x80 || (previous == UInt8(ascii: "\r") && byte == UInt8(ascii: "\n")) { return false }
            previous = byte
        }
        return true
    }
}

/// The last component of a `/`-separated path: messages name the file, the finding's `file` says where.
func baseName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}
