import Foundation

/// A structural check of Gherkin (`acceptance.feature`): the shape Cucumber's parser accepts.
///
/// Catches what makes a feature file unusable: no or several `Feature:`, steps outside a scenario,
/// `Examples:` without an outline, an outline without examples, ragged tables, unclosed doc strings,
/// and prose where a step belongs.
enum GherkinCheck {
    static let stepKeywords = ["Given ", "When ", "Then ", "And ", "But ", "* "]
    static let scenarioKeywords = ["Scenario Outline:", "Scenario Template:", "Scenario:", "Example:"]

    private enum Block {
        case none, feature, background, scenario, outline, examples, rule
    }

    static func check(_ text: String, file: String) -> [Finding] {
        var findings: [Finding] = []
        func problem(_ line: Int, _ message: String) {
            findings.append(Finding(.acceptanceGherkinInvalid, file: file, line: line, message: message))
        }
        var block = Block.none
        var featureLine: Int?
        var docString: (delimiter: String, line: Int)?
        var tableColumns: Int?
        var outlineLine: Int?
        var outlineHasExamples = false
        var examplesHeaderLine: Int?
        var examplesRows = 0
        var stepsSeen = false

        func closeOutline() {
            if let line = outlineLine, !outlineHasExamples {
                problem(line, "Scenario Outline has no Examples table")
            }
            if let header = examplesHeaderLine, examplesRows == 0 {
                problem(header, "Examples table has a header but no rows")
            }
            outlineLine = nil
            outlineHasExamples = false
            examplesHeaderLine = nil
            examplesRows = 0
        }

        for (index, raw) in TextLines.of(text).enumerated() {
            let number = index + 1
            let line = Whitespace.trimmed(raw)
            if let open = docString {
                if line.hasPrefix(open.delimiter) { docString = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("|") {
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).count - 2
                guard line.hasSuffix("|"), cells >= 1 else {
                    problem(number, "table row must start and end with '|'")
                    continue
                }
                if let columns = tableColumns, columns != cells {
                    problem(number, "table row has \(cells) cell(s), the table has \(columns)")
                }
                tableColumns = tableColumns ?? cells
                switch block {
                case .examples:
                    if examplesHeaderLine == nil { examplesHeaderLine = number } else { examplesRows += 1 }
                case .scenario, .outline, .background:
                    if !stepsSeen { problem(number, "a data table must follow a step") }
                default:
                    problem(number, "a table must follow a step or an Examples: line")
                }
                continue
            }
            tableColumns = nil
            if line.hasPrefix("\"\"\"") || line.hasPrefix("```") {
                if !stepsSeen || ![.scenario, .outline, .background].contains(block) {
                    problem(number, "a doc string must follow a step")
                }
                docString = (String(line.prefix(3)), number)
                continue
            }
            if line.hasPrefix("@") {
                if line.split(separator: " ").contains(where: { !$0.hasPrefix("@") }) {
                    problem(number, "a tag line holds only @tags separated by spaces")
                }
                continue
            }
            if line.hasPrefix("Feature:") {
                if let first = featureLine {
                    problem(number, "a second Feature: (the first is on line \(first)); one feature per file")
                }
                featureLine = featureLine ?? number
                block = .feature
                continue
            }
            if featureLine == nil {
                // Report once, then read on as if the feature had started, to find later problems too.
                problem(number, "expected 'Feature:' before anything else")
                featureLine = number
                block = .feature
            }
            if line.hasPrefix("Rule:") {
                closeOutline()
                block = .rule
                stepsSeen = false
            } else if line.hasPrefix("Background:") {
                closeOutline()
                block = .background
                stepsSeen = false
            } else if let keyword = scenarioKeywords.first(where: { line.hasPrefix($0) }) {
                closeOutline()
                if keyword == "Scenario Outline:" || keyword == "Scenario Template:" {
                    block = .outline
                    outlineLine = number
                } else {
                    block = .scenario
                }
                stepsSeen = false
            } else if line.hasPrefix("Examples:") || line.hasPrefix("Scenarios:") {
                if block == .outline || block == .examples {
                    outlineHasExamples = true
                    if let header = examplesHeaderLine, examplesRows == 0 { problem(header, "Examples table has a header but no rows") }
                    examplesHeaderLine = nil
                    examplesRows = 0
                    block = .examples
                } else {
                    problem(number, "Examples: belongs to a Scenario Outline")
                }
            } else if stepKeywords.contains(where: { line.hasPrefix($0) }) {
                switch block {
                case .scenario, .outline, .background: stepsSeen = true
                case .examples: problem(number, "a step after Examples: belongs in a new scenario")
                default: problem(number, "a step outside a scenario or background")
                }
            } else if (block == .scenario || block == .outline || block == .background) && stepsSeen {
                problem(number, "expected a step (Given/When/Then/And/But), a table or a doc string")
            }
            // Other prose is a description: allowed after Feature:, Rule:, a scenario title, or Examples:.
        }
        if let open = docString { problem(open.line, "doc string opened here is never closed") }
        closeOutline()
        if featureLine == nil { problem(1, "no 'Feature:' line") }
        return findings
    }
}
