import Foundation
import HandoffCore

/// Renders validation results as text for people or JSON for scripts.
enum ValidationOutput {
    static func text(_ reports: [PacketReport], other: [Finding], colour: Bool) -> String {
        var out = ""
        for finding in other {
            out += line(finding, colour: colour)
        }
        for report in reports {
            let verdict = report.isReady ? "ready" : "not ready"
            let counts = "\(report.errorCount) error(s), \(report.warningCount) warning(s), score \(report.score)"
            out += "\(Terminal.bold(report.id.rawValue, colour)): \(Terminal.paint(verdict, report.isReady ? .green : .red, colour)) (\(counts))\n"
            for finding in report.findings {
                out += "  " + line(finding, colour: colour)
            }
        }
        let ready = reports.count { $0.isReady }
        out += "\(reports.count) packet(s) checked, \(ready) ready, \(reports.count - ready) not ready\n"
        return out
    }

    private static func line(_ finding: Finding, colour: Bool) -> String {
        let tint: Terminal.Colour = finding.severity == .error ? .red : finding.severity == .warning ? .yellow : .blue
        var location = safe(finding.file)
        if finding.line > 0 { location += ":\(finding.line)" }
        if finding.line > 0, let column = finding.column { location += ":\(column)" }
        return "\(location): \(Terminal.paint(finding.severity.rawValue, tint, colour)): \(safe(finding.message)) [\(finding.rule)]\n"
            + "    hint: \(safe(finding.hint))\n"
    }

    /// The documented JSON shape (README, "JSON output"); keys are stable.
    struct PacketJSON: Encodable {
        var path: String
        var id: String
        var ready: Bool
        var score: Int
        var criteria: [String]
        var findings: [Finding]
    }

    struct Summary: Encodable {
        var packets: Int
        var ready: Int
        var errors: Int
        var warnings: Int
    }

    struct Document: Encodable {
        var packets: [PacketJSON]
        var findings: [Finding]
        var summary: Summary
    }

    static func json(_ reports: [PacketReport], other: [Finding]) throws -> String {
        let document = Document(
            packets: reports.map {
                PacketJSON(
                    path: $0.folder, id: $0.id.rawValue, ready: $0.isReady, score: $0.score,
                    criteria: $0.criteria, findings: $0.findings)
            },
            findings: other,
            summary: Summary(
                packets: reports.count, ready: reports.count { $0.isReady },
                // The reports' counts include findings left out by the per-rule cap.
                errors: reports.reduce(0) { $0 + $1.errorCount } + other.count { $0.severity == .error },
                warnings: reports.reduce(0) { $0 + $1.warningCount } + other.count { $0.severity == .warning }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set (as git and most CLIs behave).
enum Terminal {
    enum Colour: String {
        case red = "31", green = "32", yellow = "33", blue = "34"
    }

    static var supportsColour: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func paint(_ text: String, _ colour: Colour, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func bold(_ text: String, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}
