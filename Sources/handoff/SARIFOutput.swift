import Foundation
import HandoffCore

/// SARIF 2.1.0 (OASIS), the format code-scanning UIs read: one run, every rule, one result per finding.
enum SARIFOutput {
    struct Log: Encodable {
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name = "handoff"
        var rules: [RuleDescriptor]
    }

    struct RuleDescriptor: Encodable {
        var id: String
        var shortDescription: Text
        var help: Text
        var defaultConfiguration: Configuration
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Text: Encodable {
        var text: String
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var level: String
        var message: Text
        var locations: [Location]
        var properties: [String: String]
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }

    struct ArtifactLocation: Encodable {
        var uri: String
    }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int?
    }

    static func render(_ reports: [PacketReport], other: [Finding]) throws -> String {
        let rules = Rule.all
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        var results: [Result] = []
        for (packet, finding) in reports.flatMap({ report in report.findings.map { (report.id.rawValue, $0) } })
            + other.map({ ("", $0) })
        {
            var properties = ["hint": finding.hint]
            if !packet.isEmpty { properties["packet"] = packet }
            if let term = finding.term { properties["term"] = term }
            if let termClass = finding.termClass { properties["class"] = termClass }
            results.append(
                Result(
                    ruleId: finding.rule,
                    ruleIndex: index[finding.rule],
                    level: level(finding.severity),
                    message: Text(text: finding.message),
                    locations: [
                        Location(
                            physicalLocation: PhysicalLocation(
                                artifactLocation: ArtifactLocation(uri: uri(finding.file)),
                                region: finding.line > 0 ? Region(startLine: finding.line, startColumn: finding.column) : nil))
                    ],
                    properties: properties))
        }
        let driver = Driver(
            rules: rules.map {
                RuleDescriptor(
                    id: $0.id, shortDescription: Text(text: $0.why), help: Text(text: $0.fix),
                    defaultConfiguration: Configuration(level: level($0.severity)))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Log(runs: [Run(tool: Tool(driver: driver), results: results)])), as: UTF8.self)
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    /// Relative paths stay relative URI references; absolute ones become `file://` URIs.
    static func uri(_ path: String) -> String {
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return path.hasPrefix("/") ? "file://\(encoded)" : encoded
    }
}
