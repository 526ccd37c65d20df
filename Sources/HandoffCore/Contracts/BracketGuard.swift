/// Bounds bracket nesting in a text before a recursive parser sees it (GraphQL SDL, JSON in YAML's guard).
enum BracketGuard {
    /// The position of the first bracket nested deeper than `limit`, skipping strings and `#` comments.
    static func firstTooDeep(_ text: String, limit: Int) -> (line: Int, column: Int)? {
        var depth = 0, line = 1, column = 0
        var inString = false, inComment = false, escaped = false
        for character in text {
            column += 1
            if character == "\n" {
                line += 1
                column = 0
                inComment = false
                continue
            }
            if inComment { continue }
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true
            case "#": inComment = true
            case "[", "{", "(":
                depth += 1
                if depth > limit { return (line, column) }
            case "]", "}", ")": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}
