import Foundation
import GitPaths

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
        for line in outline.lines where line.isProse && mayHoldLink(line.text) {
            let characters = Array(line.text)
            // Where each "(" closes (nested ones counted), found once per line: scanning ahead from every "]("
            // made a line of them quadratic.
            var closing = [Int?](repeating: nil, count: characters.count)
            var opened: [Int] = []
            for (position, character) in characters.enumerated() {
                if character == "(" {
                    opened.append(position)
                } else if character == ")", let open = opened.popLast() {
                    closing[open] = position
                }
            }
            var index = 0
            var inCode = false
            while index < characters.count {
                let character = characters[index]
                if character == "`" {
                    inCode.toggle()
                } else if !inCode, character == "]", index + 1 < characters.count, characters[index + 1] == "(" {
                    if let end = closing[index + 1] {
                        var target = Whitespace.trimmed(String(characters[(index + 2)..<end]))
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

    /// Whether `line` holds the bytes "](" anywhere: a link needs them, nearly every line lacks them, and
    /// the scan above reads characters.
    private static func mayHoldLink(_ line: Substring) -> Bool {
        var previous: UInt8 = 0
        for byte in line.utf8 {
            if previous == UInt8(ascii: "]"), byte == UInt8(ascii: "(") { return true }
            previous = byte
        }
        return false
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
        // An ASCII target (no CR, which pairs with LF into one Character) is cut and compared as bytes: the
        // Character search and `lowercased()` were most of a delivery check's evidence lookups.
        let ascii = target.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\r") }
        for mark in ["#", "?"] as [Character] {
            let cut = ascii ? target.utf8.firstIndex(of: mark.asciiValue!) : target.firstIndex(of: mark)
            if let cut { target = String(target[..<cut]) }
        }
        guard !target.isEmpty else { return .external }  // `#section`: a link inside the document
        if ascii ? isExternalASCII(target) : isExternal(target.lowercased()) { return .external }
        if target.utf8.contains(UInt8(ascii: "%")) { target = target.removingPercentEncoding ?? target }
        // Split at `/` bytes, as git splits (GitPath), not at `Character`s.
        var components: [String] = target.utf8.first == UInt8(ascii: "/") ? [] : GitPath.components(file).dropLast()
        for component in GitPath.components(target) {
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

    /// What a lowercased link starts with when it leaves the repository, besides a scheme's `://`.
    private static let externalPrefixes = ["mailto:", "tel:", "data:", "//"]

    private static func isExternal(_ lowered: String) -> Bool {
        lowered.contains("://") || externalPrefixes.contains { lowered.hasPrefix($0) }
    }

    /// ``isExternal(_:)`` of an ASCII link, compared case-insensitively as bytes.
    private static func isExternalASCII(_ target: String) -> Bool {
        let bytes = Array(target.utf8)
        if bytes.count >= 3, (0...(bytes.count - 3)).contains(where: { bytes[$0] == 58 && bytes[$0 + 1] == 47 && bytes[$0 + 2] == 47 }) {
            return true  // "://"
        }
        return externalPrefixes.contains { prefix in
            prefix.utf8.count <= bytes.count
                && zip(prefix.utf8, bytes).allSatisfy { expected, byte in
                    expected >= UInt8(ascii: "a") && expected <= UInt8(ascii: "z") ? byte | 0x20 == expected : byte == expected
                }
        }
    }

    /// A link that may be broken: one that climbs out of the repository (broken in any tree), or one to a
    /// repository path (broken in a tree without it). External, in-page and empty links are left out.
    struct ResolvedLink: Sendable {
        var target: String
        var line: Int
        var column: Int
        /// The repository path it names; nil when it climbs out.
        var path: String?
    }

    /// The links of `outline` worth looking up, resolved from `file`: a pure function of the text, so kept
    /// with the document's other results while the tree they are looked up in changes.
    static func resolvedLinks(in outline: MarkdownOutline, file: String) -> [ResolvedLink] {
        links(in: outline).compactMap { link in
            switch resolve(link.target, from: file) {
            case .external: nil
            case .outside: ResolvedLink(target: link.target, line: link.line, column: link.column, path: nil)
            case .path(let path): path.isEmpty ? nil : ResolvedLink(target: link.target, line: link.line, column: link.column, path: path)
            }
        }
    }

    /// `context.broken-link` for each of `links` that climbs out or names a path `view` lacks.
    static func findings(_ links: [ResolvedLink], file: String, view: any TreeView) throws -> [Finding] {
        var findings: [Finding] = []
        for link in links {
            guard let path = link.path else {
                findings.append(
                    Finding(
                        .contextBrokenLink, file: file, line: link.line, column: link.column,
                        message: "link '\(link.target)' climbs out of the repository"))
                continue
            }
            if try view.entry(at: path) == nil {
                findings.append(
                    Finding(
                        .contextBrokenLink, file: file, line: link.line, column: link.column,
                        message: "link '\(link.target)' points to \(path), which does not exist in this tree"))
            }
        }
        return findings
    }
}
