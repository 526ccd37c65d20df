internal import Yams

/// Maps a coding path (keys and indices, as Codable and OpenAPIKit report them) to a line of the source.
///
/// Follows the path through the parsed YAML/JSON node as far as it exists and reports the deepest node
/// found, so an error about a missing key points at the mapping that lacks it.
struct NodeLocator {
    let root: Node

    /// 1-based line and column of the deepest node on `path`.
    func position(of path: [String]) -> (line: Int, column: Int) {
        var node = root
        var best = root.mark.map { ($0.line, $0.column) } ?? (1, 1)
        for component in path {
            if let mapping = node.mapping {
                guard let pair = mapping.first(where: { $0.key.string == component }) else { break }
                // Point at the key: that is where a reader looks for it.
                if let mark = pair.key.mark { best = (mark.line, mark.column) }
                node = pair.value
            } else if let sequence = node.sequence, let index = Self.index(component), index < sequence.count {
                node = sequence[index]
                if let mark = node.mark { best = (mark.line, mark.column) }
            } else {
                break
            }
        }
        return best
    }

    /// Coding keys for array elements print as "Index 3" or "3".
    private static func index(_ component: String) -> Int? {
        if let value = Int(component) { return value }
        if component.hasPrefix("Index "), let value = Int(component.dropFirst(6)) { return value }
        return nil
    }
}

extension Array where Element == any CodingKey {
    /// The keys as strings, array positions as their index.
    var pathComponents: [String] {
        map { key in key.intValue.map(String.init) ?? key.stringValue }
    }
}
