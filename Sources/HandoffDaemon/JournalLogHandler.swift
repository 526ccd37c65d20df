import Foundation
import HandoffCore
public import Logging

/// A swift-log handler writing one line per message to stderr, prefixed with a syslog priority (`<3>`)
/// that journald turns into the entry's level; metadata follows as `key=value`.
public struct JournalLogHandler: LogHandler {
    /// Messages below this level are dropped.
    public var logLevel: Logger.Level
    /// Metadata attached to every message of this logger.
    public var metadata: Logger.Metadata = [:]
    /// The logger's label (e.g. `handoffd`), printed before each message.
    public let label: String

    /// Creates a handler for `label` at `level`.
    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Priority prefixes for journald; plain lines for a person at a terminal.
    static let prefixed = isatty(STDERR_FILENO) == 0 || ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil

    public func log(event: LogEvent) {
        let prefix = Self.prefixed ? Self.priority(event.level) : ""
        // Messages quote repository names, notes and socket input: control characters are escaped, so no
        // input can forge a line, a priority prefix or a terminal sequence (one rule: TerminalText).
        var line = "\(prefix)\(label): \(TerminalText.escaped(event.message.description))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            line += " \(TerminalText.escaped(key))=\(Self.quoted(TerminalText.escaped("\(merged[key]!)")))"
        }
        // One write per line, so lines from several threads never interleave.
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The syslog priority prefix journald understands, e.g. `<4>` for warnings.
    static func priority(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "<7>"
        case .info: "<6>"
        case .notice: "<5>"
        case .warning: "<4>"
        case .error: "<3>"
        case .critical: "<2>"
        }
    }

    private static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
    }
}
