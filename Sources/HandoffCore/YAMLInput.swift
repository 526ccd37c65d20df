internal import Yams

/// Untrusted YAML, checked lexically before Yams sees it.
///
/// Yams resolves aliases by copying nodes and hashes mapping keys to find duplicates, so a few hundred
/// bytes of nested aliases take minutes and gigabytes; its composer also recurses once per nesting level.
/// Packets never need aliases, so they are refused, and nesting is bounded, before parsing starts.
enum YAMLInput {
    /// A reason to refuse a document, with its position.
    struct Refusal: Error {
        var line: Int
        var column: Int
        var message: String
        var hint: String
    }

    /// Parses `text` into a node with line marks, or says precisely why not.
    static func parse(_ text: String, maxDepth: Int) -> Result<Node?, Refusal> {
        if let refusal = scan(text, maxDepth: maxDepth) { return .failure(refusal) }
        do {
            return .success(try Yams.compose(yaml: text))
        } catch let error as YamlError {
            return .failure(refusal(from: error))
        } catch {
            return .failure(Refusal(line: 0, column: 0, message: "YAML does not parse: \(error)", hint: "Fix the YAML syntax."))
        }
    }

    /// Finds aliases and excessive nesting without parsing: quoted text, comments and block scalars are skipped.
    static func scan(_ text: String, maxDepth: Int) -> Refusal? {
        var flowDepth = 0
        var blockScalarIndent: Int?  // inside `|` or `>` content, the indentation that ends it
        var quote: Character?
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = lineIndex + 1
            let indent = line.prefix { $0 == " " }.count
            let content = line.dropFirst(indent)
            if let threshold = blockScalarIndent {
                if content.isEmpty || content.allSatisfy({ $0 == " " || $0 == "\r" }) || indent > threshold { continue }
                blockScalarIndent = nil
            }
            // Block nesting shows as indentation plus `- ` / `? ` indicators that open nodes on one line.
            var opened = 0
            var rest = content
            while rest.hasPrefix("- ") || rest.hasPrefix("? ") || rest == "-" {
                opened += 1
                rest = rest.dropFirst(2).drop { $0 == " " }
            }
            if quote == nil, flowDepth == 0, indent + 2 * opened > maxDepth * 4 {
                return Refusal(line: lineNumber, column: indent + 1,
                               message: "YAML nests \(indent + 2 * opened) columns deep, beyond the nesting limit",
                               hint: "Flatten the document; packet YAML needs only a few levels.")
            }
            var previous: Character = " "
            var column = indent
            var index = content.startIndex
            while index < content.endIndex {
                let character = content[index]
                column += 1
                defer {
                    previous = character
                    index = content.index(after: index)
                }
                if let open = quote {
                    if open == "\"", character == "\\" {
                        // Skip the escaped character.
                        let next = content.index(after: index)
                        if next < content.endIndex {
                            index = next
                            column += 1
                        }
                    } else if character == open {
                        quote = nil
                    }
                    continue
                }
                let atTokenStart = previous == " " || previous == "\t" || previous == "[" || previous == "{" || previous == ","
                    || column == indent + 1
                switch character {
                case "#" where atTokenStart:
                    index = content.index(before: content.endIndex)  // the rest of the line is a comment
                case "\"", "'":
                    if atTokenStart { quote = character }
                case "[", "{":
                    flowDepth += 1
                    if flowDepth > maxDepth {
                        return Refusal(line: lineNumber, column: column,
                                       message: "YAML nests more than \(maxDepth) levels of brackets",
                                       hint: "Flatten the document; packet YAML needs only a few levels.")
                    }
                case "]", "}":
                    flowDepth = max(0, flowDepth - 1)
                case "*" where atTokenStart:
                    let next = content.index(after: index)
                    if next < content.endIndex, !" \t,]}".contains(content[next]) {
                        return Refusal(line: lineNumber, column: column,
                                       message: "YAML alias (*name) found; aliases are not accepted in packets",
                                       hint: "Write the value out in full, or quote it if the '*' is meant literally.")
                    }
                case "|", ">":
                    if atTokenStart, flowDepth == 0, previous == " " || column == indent + 1 {
                        let rest = content[content.index(after: index)...].trimmingCharacters(in: .whitespaces)
                        if rest.isEmpty || rest.first == "#" || rest.allSatisfy({ "+-0123456789".contains($0) }) {
                            blockScalarIndent = indent
                            index = content.index(before: content.endIndex)
                        }
                    }
                default:
                    break
                }
            }
        }
        return nil
    }

    private static func refusal(from error: YamlError) -> Refusal {
        let hint = "Fix the YAML at this position."
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Refusal(line: mark.line, column: mark.column, message: "YAML does not parse: \(problem)", hint: hint)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Refusal(line: context.mark.line, column: context.mark.column,
                           message: "YAML mapping repeats the key(s) \(duplicates.joined(separator: ", "))",
                           hint: "Keep one entry per key.")
        default:
            return Refusal(line: 0, column: 0, message: "YAML does not parse: \(error)", hint: hint)
        }
    }
}
