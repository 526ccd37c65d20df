import Foundation
import GitPaths

/// Checks `context.md`: required sections present, each with real prose, no placeholders.
enum ContextCheck {
    /// The context document's file name inside a packet folder.
    static let fileName = "context.md"
    /// Fewer words than this under a required heading is too little to help anyone.
    static let minimumWords = 3

    /// The cache key of a context document: findings name the file; the required sections and the file limit
    /// (whether the bytes are read as text at all) decide the rest.
    static func cacheKey(contentID: String, path: String, requiredSections: [String], limits: CheckLimits) -> String {
        "\(contentID):\(BytePath(path).exactKey):\(limits.maxFileBytes):\(requiredSections.joined(separator: "\u{1F}"))"
    }

    /// Everything `text` says that does not depend on the tree, and the links to look up in it; `cost` is
    /// what reading it cost.
    static func judge(_ text: String, file: String, requiredSections: [String], cost: CheckCost) -> CheckCache.ContextEntry {
        let outline = MarkdownOutline(text)
        return CheckCache.ContextEntry(
            links: LinkCheck.resolvedLinks(in: outline, file: file),
            findings: proseFindings(outline, file: file, requiredSections: requiredSections), cost: cost)
    }

    /// The findings of a judged document in `view`: its broken links first, then the rest.
    static func findings(_ entry: CheckCache.ContextEntry, file: String, view: any TreeView) throws -> [Finding] {
        try LinkCheck.findings(entry.links, file: file, view: view) + entry.findings
    }

    /// Placeholders, and required sections missing or too short.
    private static func proseFindings(_ outline: MarkdownOutline, file: String, requiredSections: [String]) -> [Finding] {
        var findings: [Finding] = []
        for line in outline.lines where line.isProse {
            if let placeholder = Placeholder.find(in: line.text) {
                findings.append(
                    Finding(
                        .contextPlaceholder, file: file, line: line.number, column: placeholder.column,
                        message: "placeholder '\(placeholder.word)' in the context"))
            }
        }
        for required in requiredSections {
            guard let section = outline.sections.first(where: { $0.title.caseInsensitiveCompare(required) == .orderedSame }) else {
                findings.append(
                    Finding(
                        .contextSectionMissing, file: file, line: 1,
                        message: "required section '## \(required)' is missing",
                        hint: "Add a '## \(required)' heading and write what a newcomer needs to know."))
                continue
            }
            // Counted only as far as the rule needs: a long section stops at the third word.
            var words = 0
            for line in section.body where words < minimumWords {
                words += Self.words(in: line.text, upTo: minimumWords - words)
            }
            if words < minimumWords {
                findings.append(
                    Finding(
                        .contextSectionEmpty, file: file, line: section.line,
                        message: words == 0
                            ? "section '## \(section.title)' is empty"
                            : "section '## \(section.title)' has only \(words) word(s), too little to help"))
            }
        }
        return findings
    }

    /// The words of `line` (runs of letters and digits, placeholders not counted), counting at most `limit`.
    /// ASCII lines are read as bytes, as in the placeholder scan; others character by character.
    static func words(in line: Substring, upTo limit: Int) -> Int {
        if let counted = line.utf8.withContiguousStorageIfAvailable({ asciiWords(in: $0, upTo: limit) }), let count = counted {
            return count
        }
        return min(line.split { !$0.isLetter && !$0.isNumber }.filter { !Placeholder.tokens.contains($0) }.count, limit)
    }

    /// The byte count, or nil when `bytes` is not ASCII (or holds "\r\n", one character of two bytes).
    static func asciiWords(in bytes: UnsafeBufferPointer<UInt8>, upTo limit: Int) -> Int? {
        guard ASCIIWords.isPlain(bytes) else { return nil }
        var count = 0
        var start = -1
        func ended(at end: Int) {
            guard start >= 0 else { return }
            let word = Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            if end - start < 3 || end - start > 5 || !Placeholder.tokens.contains(word) { count += 1 }
            start = -1
        }
        for index in 0..<bytes.count {
            if ASCIIWords.isWordByte(bytes[index]) {
                if start < 0 { start = index }
            } else {
                ended(at: index)
                if count >= limit { return limit }
            }
        }
        ended(at: bytes.count)
        return min(count, limit)
    }
}
