import Foundation

/// Finds relative Markdown links and images whose target does not exist in the same tree.
enum LinkCheck {
    /// A link target with its position.
    struct Link {
        var target: String
        var line: Int
        var column: Int
    }

    /// Inline links `[text](target)` and images `![alt](target)` on prose lines (not in code blocks or spans).
    static func links(in outline: MarkdownOutline) -> [Link] {
        var links: [Link] = []
        for line in outline.lines where line.isProse {
            let characters = Array(line.text)
            var index = 0
            var inCode = false
            while index < characters.count {
                let character = characters[index]
                if character == "`" {
                    inCode.toggle()
                } else if !inCode, character == "]", index + 1 < characters.count, characters[index + 1] == "(" {
                    var end = index + 2
                    var depth = 1
                    while end < characters.count {
                        if characters[end] == "(" { depth += 1 }
                        if characters[end] == ")" {
                            depth -= 1
                            if depth == 0 { break }
                        }
                        end += 1
                    }
                    if end < characters.count {
                        var target = String(characters[(index + 2)..<end]).trimmingCharacters(in: .whitespaces)
                        // `[x](path "title")`: the title is not part of the target.
                        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }
                        if target.hasPrefix("<"), target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
                        links.append(Link(target: target, line: line.number, column: index + 3))
                        index = end
                    }
                }
                index += 1
            }
        }
        return links
    }

    /// The repository path a relative target names from `file`, or nil for external and in-page links.
    ///
    /// Returns `.outside` when `..` climbs above the tree's root.
    enum Resolution: Equatable {
        case external
        case path(String)
        case outside
    }

    static func resolve(_ target: String, from file: String) -> Resolution {
        var target = target
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if let query = target.firstIndex(of: "?") { target = String(target[..<query]) }
        guard !target.isEmpty else { return .external }  // `#section`: a link inside the document
        let lowered = target.lowercased()
        if lowered.contains("://") || lowered.hasPrefix("mailto:") || lowered.hasPrefix("tel:") || lowered.hasPrefix("data:")
            || lowered.hasPrefix("//")
        {
            return .external
        }
        target = target.removingPercentEncoding ?? target
        var components: [Substring] = target.hasPrefix("/") ? [] : file.split(separator: "/").dropLast()
        for component in target.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return .outside }
                components.removeLast()
            default: components.append(component)
            }
        }
        return .path(components.joined(separator: "/"))
    }

    static func check(_ outline: MarkdownOutline, file: String, view: any TreeView) throws -> [Finding] {
        var findings: [Finding] = []
        for link in links(in: outline) {
            switch resolve(link.target, from: file) {
            case .external:
                continue
            case .outside:
                findings.append(
                    Finding(
                        .contextBrokenLink, file: file, line: link.line, column: link.column,
                        message: "link '\(link.target)' climbs out of the repository"))
            case .path(let path):
                if path.isEmpty { continue }
                if try view.entry(at: path) == nil {
                    findings.append(
                        Finding(
                            .contextBrokenLink, file: file, line: link.line, column: link.column,
                            message: "link '\(link.target)' points to \(path), which does not exist in this tree"))
                }
            }
        }
        return findings
    }
}
