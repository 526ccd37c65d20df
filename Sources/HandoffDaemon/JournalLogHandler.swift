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

    /// How lines are written: with priority prefixes for journald (which stamps the time itself), with a
    /// UTC timestamp and the level's name anywhere else (a terminal, a file, a pipe to another logger).
    enum Style: Equatable {
        case journal
        case timestamped
    }

    /// journald's style when stderr is the stream systemd names in `JOURNAL_STREAM` (`device:inode`), as
    /// systemd.exec(5) advises: a variable inherited by a child whose stderr was redirected is not enough.
    static let style: Style = {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return .timestamped }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return .timestamped }
        return stream == "\(status.st_dev):\(status.st_ino)" ? .journal : .timestamped
    }()

    public func log(event: LogEvent) {
        let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let line = Self.line(label: label, level: event.level, message: "\(event.message)", metadata: metadata, style: Self.style, at: Date())
        // One write per line, so lines from several threads never interleave.
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// One log line, newline included: newlines inside the message become spaces, metadata sorted by key.
    ///
    /// Messages quote repository names, notes and socket input: every other control character is escaped
    /// (TerminalText, the one rule), so no input can forge a line, a priority prefix or a terminal sequence.
    static func line(label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, style: Style, at date: Date) -> String {
        let text = TerminalText.escaped(message.replacingOccurrences(of: "\n", with: " "))
        var line =
            switch style {
            case .journal: "\(priority(level))\(label): \(text)"
            case .timestamped: "\(timestamp(date)) \(level.rawValue) \(label): \(text)"
            }
        for key in metadata.keys.sorted() {
            let value = TerminalText.escaped("\(metadata[key]!)".replacingOccurrences(of: "\n", with: " "))
            line += " \(TerminalText.escaped(key))=\(quoted(value))"
        }
        return line + "\n"
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-12-02T10:15:02.123Z`: sortable, and unambiguous across zones.
    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).format(date)
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

    static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
    }
}
