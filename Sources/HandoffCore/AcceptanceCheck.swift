import Foundation
import GitPaths

/// Parses and checks acceptance criteria (`acceptance.md` list items or `acceptance.feature` scenarios).
enum AcceptanceCheck {
    /// The Markdown criteria file name.
    static let markdownFile = "acceptance.md"
    /// The Gherkin criteria file name.
    static let gherkinFile = "acceptance.feature"

    /// The cache key of an acceptance file: findings name the file, so its path belongs to the key; the file
    /// limit decides whether the bytes are read as text at all.
    static func cacheKey(contentID: String, path: String, limits: CheckLimits) -> String {
        "\(contentID):\(BytePath(path).exactKey):\(limits.maxFileBytes)"
    }

    /// What checking an acceptance file's text gives, as the cache keeps it: its criteria, their findings,
    /// the operations they name, and `cost` (what reading it cost, charged again on every hit).
    static func judge(_ text: String, path: String, cost: CheckCost) -> CheckCache.AcceptanceEntry {
        let (criteria, findings) =
            path.hasSuffix("/\(gherkinFile)") || path == gherkinFile
            ? checkGherkin(text, file: path) : checkMarkdown(text, file: path)
        return CheckCache.AcceptanceEntry(criteria: criteria, findings: findings, mentions: mentions(criteria), cost: cost)
    }

    /// An operation a criterion names: by method and path, or by operationId.
    struct Mention: Sendable {
        enum Operation: Sendable {
            case endpoint(method: String, path: String)
            case operationID(String)
        }
        var criterionID: String?
        var line: Int
        var operation: Operation
    }

    /// Every operation the criteria name, in order (per criterion: endpoints, then operationIds).
    static func mentions(_ criteria: [Criterion]) -> [Mention] {
        var mentions: [Mention] = []
        for criterion in criteria {
            for (method, path) in namedOperations(in: criterion.text) {
                mentions.append(Mention(criterionID: criterion.id, line: criterion.line, operation: .endpoint(method: method, path: path)))
            }
            for name in namedOperationIDs(in: criterion.text) {
                mentions.append(Mention(criterionID: criterion.id, line: criterion.line, operation: .operationID(name)))
            }
        }
        return mentions
    }

    /// One criterion: its id (nil when it has none), where it starts, and its text.
    struct Criterion {
        var id: String?
        var line: Int
        var text: String
        /// Where each source line's part of `text` starts: UTF-8 offset in `text`, line, and 1-based column.
        var segments: [(offset: Int, line: Int, column: Int)] = []

        init(id: String?, line: Int, text: String, column: Int = 1) {
            self.id = id
            self.line = line
            self.text = text
            self.segments = [(0, line, column)]
        }

        /// Appends a continuation line, remembering where it came from.
        mutating func append(_ part: Substring, line: Int, column: Int) {
            text += " "
            segments.append((text.utf8.count, line, column))
            text += part
        }

        /// The line and column of a UTF-8 offset in `text`.
        func position(ofUTF8Offset offset: Int) -> (line: Int, column: Int) {
            let segment = segments.last { $0.offset <= offset } ?? (0, line, 1)
            let utf8 = text.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: segment.offset)
            let end = utf8.index(utf8.startIndex, offsetBy: min(offset, utf8.count))
            return (segment.line, segment.column + text[start..<end].count)
        }
    }

    static func checkMarkdown(_ text: String, file: String) -> (criteria: [Criterion], findings: [Finding]) {
        let criteria = markdownCriteria(text)
        return (criteria, validate(criteria, file: file))
    }

    static func checkGherkin(_ text: String, file: String) -> (criteria: [Criterion], findings: [Finding]) {
        let criteria = gherkinCriteria(text)
        return (criteria, GherkinCheck.check(text, file: file) + validate(criteria, file: file))
    }

    static let httpMethods: Set<String> = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"]

    /// `METHOD /path` pairs a criterion names, e.g. `POST /payments/{id}/refunds`.
    ///
    /// Runs for every criterion of every packet a catch-up checks, so words stay substrings and only a
    /// word that starts with an uppercase ASCII letter is trimmed and compared.
    static func namedOperations(in text: String) -> [(method: String, path: String)] {
        // Words split at space, tab and newline bytes: splitting the String by Character (grapheme breaking)
        // was most of this function's time in a catch-up.
        var text = text
        return text.withUTF8 { bytes in
            var named: [(String, String)] = []
            var previous: Range<Int>?
            var index = 0
            while index < bytes.count {
                while index < bytes.count, Self.isWordSeparator(bytes[index]) { index += 1 }
                guard index < bytes.count else { break }
                let start = index
                while index < bytes.count, !Self.isWordSeparator(bytes[index]) { index += 1 }
                let word = start..<index
                defer { previous = word }
                guard let methodWord = previous, let method = Self.trimmedPunctuation(bytes, methodWord),
                    bytes[method.lowerBound] >= UInt8(ascii: "A"), bytes[method.lowerBound] <= UInt8(ascii: "Z")
                else { continue }
                let methodName = String(decoding: UnsafeBufferPointer(rebasing: bytes[method]), as: UTF8.self)
                guard httpMethods.contains(methodName), var path = Self.trimmedPunctuation(bytes, word),
                    bytes[path.lowerBound] == UInt8(ascii: "/")
                else { continue }
                if let query = bytes[path].firstIndex(of: UInt8(ascii: "?")) { path = path.lowerBound..<query }
                named.append((methodName, String(decoding: UnsafeBufferPointer(rebasing: bytes[path]), as: UTF8.self)))
            }
            return named
        }
    }

    @inline(__always) private static func isWordSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
    }

    /// `range` of `bytes` without the punctuation at its ends; nil when nothing else is left.
    private static func trimmedPunctuation(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int>? {
        var start = range.lowerBound, end = range.upperBound
        while start < end, isPunctuation(bytes[start]) { start += 1 }
        while end > start, isPunctuation(bytes[end - 1]) { end -= 1 }
        return start < end ? start..<end : nil
    }

    /// What may wrap a `METHOD /path` pair in prose: code ticks, quotes, brackets and sentence punctuation.
    @inline(__always) private static func isPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    /// operationIds a criterion names: a code span such as `createRefund` introduced as an operation
    /// ("calls `x`", "operation `x`") or followed by "is called", "operation" or "endpoint".
    static func namedOperationIDs(in text: String) -> [String] {
        // Only the word before a span and the start of the text after it are compared: lowercasing all of
        // the text around every span was a catch-up's cost.
        let parts = text.utf8.split(separator: UInt8(ascii: "`"), omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return [] }
        var names: [String] = []
        for index in stride(from: 1, to: parts.count - 1, by: 2) {
            let span = Substring(parts[index])
            guard let first = span.first, first.isLetter, span.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            let before = parts[index - 1].split(separator: UInt8(ascii: " ")).last.map { Substring($0).lowercased() } ?? ""
            let after = Substring(parts[index + 1].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            let start = Whitespace.trimmed(after.prefix(Self.longestFollower)).lowercased()
            let introduced = ["operation", "operationid", "call", "calls", "calling", "invoke", "invokes", "invoking"].contains(before)
            let followed = Self.followers.contains { start.hasPrefix($0) }
            if introduced || followed { names.append(String(span)) }
        }
        return names
    }

    /// What, after a code span, makes it an operationId.
    private static let followers = ["is called", "is invoked", "operation", "endpoint", "returns", "responds"]
    /// The characters ``namedOperationIDs(in:)`` reads after a span.
    private static let longestFollower = 16

    /// `acceptance.unknown-operation` for every named operation that no contract defines.
    static func unknownOperations(_ mentions: [Mention], operations: [APIOperation], file: String) -> [Finding] {
        mentions.compactMap { mention in
            let who = mention.criterionID ?? "a criterion"
            switch mention.operation {
            case .endpoint(let method, let path):
                guard !operations.contains(where: { $0.method == method && $0.matches(path: path) }) else { return nil }
                return Finding(
                    .acceptanceUnknownOperation, file: file, line: mention.line,
                    message: "\(who) names \(method) \(path), which no contract of this packet defines")
            case .operationID(let name):
                guard !operations.contains(where: { $0.operationID == name }) else { return nil }
                return Finding(
                    .acceptanceUnknownOperation, file: file, line: mention.line,
                    message: "\(who) names operation '\(name)', which no contract of this packet defines")
            }
        }
    }

    /// Top-level list items; indented lines and nested items continue the item above them.
    static func markdownCriteria(_ text: String) -> [Criterion] {
        var criteria: [Criterion] = []
        for line in MarkdownOutline(text).lines where line.isProse {
            let indent = line.text.prefix { $0 == " " || $0 == "\t" }.count
            if indent == 0, let item = listItemText(line.text) {
                let column = line.text.distance(from: line.text.startIndex, to: item.startIndex) + 1
                criteria.append(Criterion(id: criterionID(item), line: line.number, text: String(item), column: column))
            } else if !criteria.isEmpty, indent > 0 {
                let content = Whitespace.trimmed(line.text)
                criteria[criteria.count - 1].append(Substring(content), line: line.number, column: indent + 1)
            }
        }
        return criteria
    }

    /// Each `Scenario:` / `Scenario Outline:` is a criterion; its id is an `@AC-n` tag on the lines above.
    static func gherkinCriteria(_ text: String) -> [Criterion] {
        var criteria: [Criterion] = []
        var tags: [String] = []
        for (index, raw) in TextLines.of(text).enumerated() {
            let line = Whitespace.trimmed(raw)
            let indent = raw.prefix { $0 == " " || $0 == "\t" }.count
            if line.hasPrefix("@") {
                tags += line.split(separator: " ").map { String($0.dropFirst()) }
            } else if line.hasPrefix("Scenario:") || line.hasPrefix("Scenario Outline:") || line.hasPrefix("Example:") {
                let id = tags.first { isCriterionID($0) }
                let title = Whitespace.trimmed(line.drop { $0 != ":" }.dropFirst())
                let afterColon = raw.drop { $0 != ":" }.dropFirst()
                let column = raw.distance(from: raw.startIndex, to: afterColon.drop { $0 == " " || $0 == "\t" }.startIndex) + 1
                criteria.append(Criterion(id: id, line: index + 1, text: title, column: column))
                tags = []
            } else if !line.isEmpty, !line.hasPrefix("#") {
                if !criteria.isEmpty { criteria[criteria.count - 1].append(Substring(line), line: index + 1, column: indent + 1) }
                tags = []
            }
        }
        return criteria
    }

    private static func validate(_ criteria: [Criterion], file: String) -> [Finding] {
        var findings: [Finding] = []
        guard !criteria.isEmpty else {
            return [Finding(.acceptanceEmpty, file: file, message: "\(baseName(file)) lists no acceptance criteria")]
        }
        var firstLine: [String: Int] = [:]
        for criterion in criteria {
            guard let id = criterion.id else {
                findings.append(
                    Finding(
                        .acceptanceIDMissing, file: file, line: criterion.line,
                        message: "criterion without an AC-n id: '\(criterion.text.prefix(60))'"))
                continue
            }
            if let first = firstLine[id] {
                findings.append(
                    Finding(
                        .acceptanceIDDuplicate, file: file, line: criterion.line,
                        message: "\(id) is used again (first on line \(first))"))
            } else {
                firstLine[id] = criterion.line
            }
            if let placeholder = Placeholder.find(in: Substring(criterion.text)) {
                findings.append(
                    Finding(
                        .acceptancePlaceholder, file: file, line: criterion.line,
                        message: "\(id) holds the placeholder '\(placeholder.word)'"))
                continue  // an unfinished criterion: smells would only repeat the placeholder
            }
            findings += smells(in: criterion, id: id, file: file)
        }
        return findings
    }

    /// Requirement smells: vague terms, no observable outcome, several behaviours. Warnings by default.
    static func smells(in criterion: Criterion, id: String, file: String) -> [Finding] {
        var text = Substring(criterion.text)
        if let colon = text.firstIndex(of: ":"), text[..<colon].contains(id) { text = text[text.index(after: colon)...] }
        let skipped = criterion.text.utf8.distance(from: criterion.text.utf8.startIndex, to: text.startIndex)
        let analysis = RequirementSmells.analyze(String(text))
        var findings: [Finding] = []
        for vague in analysis.terms {
            let position = criterion.position(ofUTF8Offset: skipped + vague.utf8Offset)
            findings.append(
                Finding(
                    .acceptanceVagueTerm, file: file, line: position.line, column: position.column,
                    message: "\(id) uses the \(vague.termClass.rawValue.replacingOccurrences(of: "-", with: " ")) term '\(vague.term)'",
                    hint: vague.termClass.hint, term: vague.term, termClass: vague.termClass.rawValue))
        }
        if analysis.lacksObservableOutcome {
            findings.append(
                Finding(
                    .acceptanceNoObservableOutcome, file: file, line: criterion.line,
                    message: "\(id) states no observable outcome"))
        }
        if analysis.isNotSingular {
            findings.append(
                Finding(
                    .acceptanceNotSingular, file: file, line: criterion.line,
                    message: "\(id) describes several behaviours (several when/then clauses)"))
        }
        return findings
    }

    /// The criterion ids in order, each once.
    static func ids(_ criteria: [Criterion]) -> [String] {
        var seen = Set<String>()
        return criteria.compactMap(\.id).filter { seen.insert($0).inserted }
    }

    /// The text of a list item (`- `, `* `, `+ `, `1. `), without a task checkbox.
    static func listItemText(_ line: Substring) -> Substring? {
        var rest: Substring
        if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " {
            rest = line.dropFirst(2)
        } else {
            let digits = line.prefix { $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            let after = line.dropFirst(digits.count)
            guard let marker = after.first, marker == "." || marker == ")", after.dropFirst().first == " " else { return nil }
            rest = after.dropFirst(2)
        }
        rest = rest.drop { $0 == " " }
        for box in ["[ ] ", "[x] ", "[X] "] where rest.hasPrefix(box) {
            rest = rest.dropFirst(box.count)
        }
        return rest.drop { $0 == " " }
    }

    /// `AC-12` when the text starts with `AC-12:` (or `**AC-12**:`), else nil.
    static func criterionID(_ text: Substring) -> String? {
        let stripped = text.drop { $0 == "*" || $0 == "`" }
        guard stripped.hasPrefix("AC-") else { return nil }
        let digits = stripped.dropFirst(3).prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6 else { return nil }
        let after = stripped.dropFirst(3 + digits.count).drop { $0 == "*" || $0 == "`" }
        guard after.first == ":" || after.first == " " || after.isEmpty else { return nil }
        return "AC-\(digits)"
    }

    static func isCriterionID(_ text: String) -> Bool {
        criterionID(Substring(text)) == text
    }
}
