import Foundation

/// Checks `context.md`: required sections present, each with real prose, no placeholders.
enum ContextCheck {
    /// The context document's file name inside a packet folder.
    static let fileName = "context.md"
    /// Fewer words than this under a required heading is too little to help anyone.
    static let minimumWords = 3

    static func check(_ text: String, file: String, requiredSections: [String], view: any TreeView) throws -> [Finding] {
        let outline = MarkdownOutline(text)
        var findings: [Finding] = try LinkCheck.check(outline, file: file, view: view)
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
            let words = section.body.flatMap { line in
                line.text.split { !$0.isLetter && !$0.isNumber }.filter { !Placeholder.tokens.contains($0) }
            }
            if words.count < minimumWords {
                findings.append(
                    Finding(
                        .contextSectionEmpty, file: file, line: section.line,
                        message: words.isEmpty
                            ? "section '## \(section.title)' is empty"
                            : "section '## \(section.title)' has only \(words.count) word(s), too little to help"))
            }
        }
        return findings
    }
}
