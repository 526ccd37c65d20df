import Foundation
import HandoffCore

/// An `allowed_signers` file in git's and ssh-keygen's format (`principals [options] keytype key`), read
/// for one question: which principal does this key speak for, in the `git` namespace, at this time?
///
/// A line's identity is its first literal principal (patterns such as `*@acme.example` name no one).
/// `namespaces=` (with `*` patterns), `valid-after=` and `valid-before=` are honoured (times read as UTC); `cert-authority`
/// lines and lines with other options are skipped: certificates are not supported.
public struct AllowedSigners: Sendable {
    struct Entry: Sendable, Hashable {
        var principal: String
        var key: SSHPublicKey
        var namespaces: [String]?
        var validAfter: Int64?
        var validBefore: Int64?
    }

    private(set) var entries: [Entry] = []
    /// A line that was not used, and why (for a warning at start).
    public struct SkippedLine: Sendable, Hashable {
        /// The 1-based line number.
        public var line: Int
        /// Why it names no signer.
        public var reason: String
    }
    /// Lines that were not used.
    public private(set) var skipped: [SkippedLine] = []

    /// Parses the file's text.
    public init(text: String) {
        for (index, raw) in TextLines.of(text).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            switch Self.entry(line) {
            case .success(let entry): entries.append(entry)
            case .failure(let reason): skipped.append(SkippedLine(line: index + 1, reason: reason.text))
            }
        }
    }

    /// Reads the file at `path`, at most 1 MiB; nil when it cannot be read.
    public init?(contentsOf path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 1 << 20) else { return nil }
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    /// The principal `key` speaks for in `namespace` at Unix time `time`, or nil.
    public func principal(for key: SSHPublicKey, namespace: String, at time: Int64) -> String? {
        entries.first { entry in
            entry.key == key && (entry.namespaces?.contains { RoleBook.matches(namespace, pattern: $0) } ?? true)
                && (entry.validAfter.map { time >= $0 } ?? true) && (entry.validBefore.map { time < $0 } ?? true)
        }?.principal
    }

    /// Why a line was skipped.
    struct Skip: Error { let text: String }

    private static func entry(_ line: String) -> Result<Entry, Skip> {
        let fields = tokens(line)
        guard fields.count >= 3 else { return .failure(Skip(text: "expected principals, [options,] key type and key")) }
        let hasOptions = !SSHPublicKey.isKeyType(fields[1])
        guard fields.count >= (hasOptions ? 4 : 3) else { return .failure(Skip(text: "no key after the options")) }
        let type = fields[hasOptions ? 2 : 1], base64 = fields[hasOptions ? 3 : 2]
        guard let blob = Data(base64Encoded: base64) else { return .failure(Skip(text: "the key is not base64")) }
        guard let principal = fields[0].split(separator: ",").map(String.init).first(where: { !$0.contains(where: { "*?!".contains($0) }) })
        else { return .failure(Skip(text: "only patterns as principals: none names an identity")) }
        var entry = Entry(principal: principal, key: SSHPublicKey(type: type, blob: blob))
        if hasOptions {
            for option in split(fields[1], on: ",") {
                let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
                let name = parts[0].lowercased()
                let value = parts.count == 2 ? unquoted(parts[1]) : nil
                switch (name, value) {
                case ("namespaces", let value?): entry.namespaces = value.split(separator: ",").map(String.init)
                case ("valid-after", let value?):
                    guard let time = unixTime(value) else { return .failure(Skip(text: "valid-after '\(value)' is not a time")) }
                    entry.validAfter = time
                case ("valid-before", let value?):
                    guard let time = unixTime(value) else { return .failure(Skip(text: "valid-before '\(value)' is not a time")) }
                    entry.validBefore = time
                case ("cert-authority", nil): return .failure(Skip(text: "cert-authority: certificates are not supported"))
                default: return .failure(Skip(text: "unsupported option '\(name)'"))
                }
            }
        }
        return .success(entry)
    }

    /// Whitespace-separated fields; double quotes keep spaces and commas inside a field.
    private static func tokens(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            if !quoted, character == " " || character == "\t" {
                if !current.isEmpty { fields.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { fields.append(current) }
        return fields
    }

    /// Splits on `separator` outside double quotes.
    private static func split(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = [], current = "", quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if !quoted, character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts.filter { !$0.isEmpty }
    }

    private static func unquoted(_ text: String) -> String {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }

    /// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, with an optional `Z`, as UTC.
    static func unixTime(_ text: String) -> Int64? {
        let digits = text.hasSuffix("Z") || text.hasSuffix("z") ? String(text.dropLast()) : text
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let numbers = Array(digits)
        func number(_ from: Int, _ count: Int) -> Int { from + count <= numbers.count ? Int(String(numbers[from..<(from + count)]))! : 0 }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        (components.year, components.month, components.day) = (number(0, 4), number(4, 2), number(6, 2))
        (components.hour, components.minute, components.second) = (number(8, 2), number(10, 2), number(12, 2))
        guard components.isValidDate, let date = components.date else { return nil }
        return Int64(date.timeIntervalSince1970)
    }
}
