/// Decides which roles an identity (an email) holds: policy patterns plus the daemon's operators.
public struct RoleBook: Sendable, Hashable {
    /// Email patterns per role from the policy (`*` matches any run of characters).
    public var patterns: [Role: [String]]
    /// Operator emails or patterns, from the daemon's configuration.
    public var operators: [String]

    /// Creates a role book.
    public init(patterns: [Role: [String]] = [:], operators: [String] = []) {
        self.patterns = patterns
        self.operators = operators
    }

    /// A role book from a policy's roles and the configured operators.
    public init(policy: Policy, operators: [String]) {
        var patterns: [Role: [String]] = [:]
        for (name, list) in policy.roles {
            if let role = Role(rawValue: name) { patterns[role] = list }
        }
        self.init(patterns: patterns, operators: operators)
    }

    /// The roles `email` holds (case-insensitive match).
    public func roles(of email: String) -> Set<Role> {
        var roles = Set<Role>()
        for (role, list) in patterns where list.contains(where: { Self.matches(email, pattern: $0) }) {
            roles.insert(role)
        }
        if operators.contains(where: { Self.matches(email, pattern: $0) }) { roles.insert(.operator) }
        return roles
    }

    /// Glob match with `*` only, case-insensitive, linear time (no backtracking blow-up on hostile input).
    public static func matches(_ text: String, pattern: String) -> Bool {
        let text = Array(text.lowercased().utf8), pattern = Array(pattern.lowercased().utf8)
        var t = 0, p = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                mark = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
