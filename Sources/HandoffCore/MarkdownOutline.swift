import Foundation

/// The parts of a Markdown document the checks need: lines outside code, and second-level sections.
struct MarkdownOutline {
    /// A `## Heading` and the lines up to the next heading of level 1 or 2.
    struct Section {
        var title: String
        var line: Int
        var body: [(line: Int, text: Substring)]
    }

    /// Every line with its 1-based number, and whether it sits inside a fenced code block or HTML comment.
    let lines: [(number: Int, text: Substring, isProse: Bool)]
    /// Second-level sections in document order.
    let sections: [Section]

    init(_ text: String) {
        var lines: [(Int, Substring, Bool)] = []
        var sections: [Section] = []
        var fence: [UInt8]?
        var inComment = false
        let split = TextLines.of(text)
        lines.reserveCapacity(split.count)
        for (index, line) in split.enumerated() {
            // Leading spaces skipped by byte. Where a combining mark joins the last space, `trimmed` starts
            // with the mark: no fence, comment or heading, as the joined character would be none either.
            let trimmed = line[(line.utf8.firstIndex { $0 != UInt8(ascii: " ") } ?? line.endIndex)...]
            let number = index + 1
            // Fences and comments are markers of ASCII bytes, opened and closed by the same byte comparison (as
            // CommonMark reads them); comparing characters would also take U+1FEF, canonically a backtick.
            if let open = fence {
                if trimmed.utf8.starts(with: open) { fence = nil }
                lines.append((number, line, false))
                sections.appendBody(number, line, prose: false)
                continue
            }
            if trimmed.utf8.starts(with: Self.backtickFence) || trimmed.utf8.starts(with: Self.tildeFence) {
                fence = Array(trimmed.utf8.prefix(3))
                lines.append((number, line, false))
                continue
            }
            if inComment || trimmed.utf8.starts(with: Self.commentOpen) {
                inComment = String(line).byteRange(of: "-->") == nil
                lines.append((number, line, false))
                continue
            }
            lines.append((number, line, true))
            // Only a line starting with "#" can be a heading: others skip the comparisons of characters.
            if trimmed.utf8.first == UInt8(ascii: "#"), let (level, title) = Self.heading(trimmed), level <= 2 {
                if level == 2 {
                    sections.append(Section(title: title, line: number, body: []))
                } else {
                    sections.append(Section(title: "", line: number, body: []))  // a level-1 heading ends a section
                }
                continue
            }
            sections.appendBody(number, line, prose: true)
        }
        self.lines = lines
        self.sections = sections.filter { !$0.title.isEmpty }
    }

    private static let backtickFence = Array("```".utf8), tildeFence = Array("~~~".utf8)
    private static let commentOpen = Array("<!--".utf8)

    /// An ATX heading: its level and its text without the closing hashes.
    static func heading(_ line: Substring) -> (Int, String)? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var title = Whitespace.trimmed(rest)
        while title.hasSuffix("#") { title.removeLast() }
        return (hashes, Whitespace.trimmed(title))
    }
}

extension Array where Element == MarkdownOutline.Section {
    fileprivate mutating func appendBody(_ number: Int, _ line: Substring, prose: Bool) {
        guard prose, !isEmpty else { return }
        self[count - 1].body.append((number, line))
    }
}
