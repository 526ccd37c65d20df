import Foundation
import Testing

@testable import HandoffCore

/// The placeholder scan's ASCII path (bytes) must answer exactly as the general path (characters) does.
@Suite("Placeholder scan")
struct PlaceholderScanTests {
    /// A small deterministic generator, so that a failure names its seed.
    struct Mix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = [
        "TBD", "TODO", "FIXME", "XXX", "TBA", "tbd", "TBDs", "xTBD", "TODO1", "`TODO`", "`", " ", "  ", ".", ",", "-", "_", "(", ")",
        "lorem ipsum", "Lorem Ipsum", "LOREM IPSUM", "lorem  ipsum", "lorem_ipsum", "word", "API", "v2", "200", "\r", "\r\n", "\t",
        "é", "TBDé", "ＴＯＤＯ", "x̀",
    ]

    @Test("20,000 random lines: the byte scan and the character scan agree", arguments: [UInt64(1), 2, 3, 4])
    func agree(seed: UInt64) {
        var random = Mix(state: seed)
        for _ in 0..<5_000 {
            let line = Substring((0..<Int.random(in: 0...12, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined())
            let fast = Placeholder.find(in: line)
            let general = Placeholder.unicodeFind(in: line)
            #expect(fast?.word == general?.word && fast?.column == general?.column, "\(line.debugDescription)")
        }
    }

    @Test("word counts: the byte count and the character count agree, up to any limit", arguments: [UInt64(5), 6])
    func wordsAgree(seed: UInt64) {
        var random = Mix(state: seed)
        for _ in 0..<5_000 {
            let line = Substring((0..<Int.random(in: 0...12, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined())
            let limit = Int.random(in: 1...6, using: &random)
            let general = min(line.split { !$0.isLetter && !$0.isNumber }.filter { !Placeholder.tokens.contains($0) }.count, limit)
            #expect(ContextCheck.words(in: line, upTo: limit) == general, "\(line.debugDescription) up to \(limit)")
        }
    }

    @Test("examples: tokens as whole words outside code spans, lorem ipsum anywhere, columns in characters")
    func examples() {
        #expect(Placeholder.find(in: "Owner: TBD")! == ("TBD", 8))
        #expect(Placeholder.find(in: "use `TODO` markers") == nil)
        #expect(Placeholder.find(in: "TBDs are fine") == nil)
        #expect(Placeholder.find(in: "see Lorem Ipsum here")! == ("lorem ipsum", 5))
        #expect(Placeholder.find(in: "café TODO")! == ("TODO", 6))
    }
}

/// `String.byteRange(of:from:)`, the board's marker search, finds what a literal search finds.
@Suite("Byte search")
struct ByteSearchTests {
    @Test("random texts: the same range as Foundation's literal search, from any start")
    func agrees() {
        var random = PlaceholderScanTests.Mix(state: 7)
        let pieces = ["<!--", "-->", "-", "<", "!", "\n## Events", "\n", "é", "ü", "日本", "a", " ", "##"]
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...14, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let needle = ["-->", "<!--", "\n## Events", "日本", "é-"].randomElement(using: &random)!
            let start = text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &random))
            let expected = text.range(of: needle, options: .literal, range: start..<text.endIndex)
            #expect(text.byteRange(of: needle, from: start) == expected, "\(text.debugDescription) / \(needle.debugDescription)")
        }
        #expect("".byteRange(of: "x") == nil && "abc".byteRange(of: "") == nil)
    }
}
