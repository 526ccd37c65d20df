/// How much a finding matters: errors keep a packet from being ready.
public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    /// Blocks readiness.
    case error
    /// Lowers the readiness score.
    case warning
    /// Informs; costs nothing.
    case info

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .info: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found in a packet: which rule, where, what is wrong and what to do.
public struct Finding: Sendable, Hashable, Codable {
    /// The rule's stable dotted id, e.g. `context.section-missing`.
    public var rule: String
    /// How much it matters.
    public var severity: Severity
    /// The file, from the repository root (or the checked folder).
    public var file: String
    /// 1-based line, 0 when the finding is about the file as a whole.
    public var line: Int
    /// 1-based column, when known.
    public var column: Int?
    /// What is wrong, in one sentence.
    public var message: String
    /// What to do about it.
    public var hint: String
    /// For term-based rules (e.g. `acceptance.vague-term`): the offending term.
    public var term: String?
    /// For term-based rules: the term's class (e.g. `superlative`).
    public var termClass: String?

    /// Creates a finding for `rule` with the rule's own severity and fix as defaults.
    public init(
        _ rule: Rule, file: String, line: Int = 0, column: Int? = nil, message: String, hint: String? = nil,
        term: String? = nil, termClass: String? = nil
    ) {
        self.rule = rule.id
        self.severity = rule.severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint ?? rule.fix
        self.term = term
        self.termClass = termClass
    }

    enum CodingKeys: String, CodingKey {
        case rule, severity, file, line, column, message, hint, term
        case termClass = "class"
    }

    /// Every key is always present (absent values are `null`), so scripts can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rule, forKey: .rule)
        try container.encode(severity, forKey: .severity)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
        try container.encode(message, forKey: .message)
        try container.encode(hint, forKey: .hint)
        try container.encode(term, forKey: .term)
        try container.encode(termClass, forKey: .termClass)
    }

    /// `file:line[:column]: severity: message [rule]`, the format compilers and editors understand.
    public var formatted: String {
        var location = file
        if line > 0 { location += ":\(line)" }
        if line > 0, let column { location += ":\(column)" }
        return "\(location): \(severity.rawValue): \(message) [\(rule)]"
    }
}

extension Array where Element == Finding {
    /// Sorted for stable output: by file, line, column, then rule.
    public func sortedForDisplay() -> [Finding] {
        sorted { ($0.file, $0.line, $0.column ?? 0, $0.rule, $0.message) < ($1.file, $1.line, $1.column ?? 0, $1.rule, $1.message) }
    }
}
