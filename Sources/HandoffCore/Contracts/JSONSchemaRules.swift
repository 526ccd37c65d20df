internal import Yams

/// Checks that a document is a JSON Schema: the keywords it uses have values of the right kind.
///
/// A syntax check, not an instance validator: it catches schemas that cannot mean what they say.
struct JSONSchemaRules {
    static let types: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]
    static let schemaMaps = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]
    static let schemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let schemaValues = [
        "not", "if", "then", "else", "additionalProperties", "items", "contains", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "additionalItems",
    ]
    static let numbers = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]
    static let counts = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"]

    let file: String
    /// Bounds the walk: a schema is a tree whose size the document's nesting limit already bounds.
    var budget = 100_000

    mutating func check(_ node: Node) -> [Finding] {
        var findings: [Finding] = []
        walk(node, at: "#", into: &findings)
        return findings
    }

    private mutating func walk(_ node: Node, at pointer: String, into findings: inout [Finding]) {
        budget -= 1
        guard budget > 0 else { return }
        if node.scalar != nil, let text = node.string, text == "true" || text == "false" { return }  // boolean schema
        guard let mapping = node.mapping else {
            findings.append(problem(node, "\(pointer) must be a schema (an object or true/false), not \(kind(node))"))
            return
        }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            let here = "\(pointer)/\(name)"
            switch name {
            case "type":
                let names = value.sequence.map { $0.compactMap(\.string) } ?? value.string.map { [$0] } ?? []
                if names.isEmpty || names.contains(where: { !Self.types.contains($0) }) {
                    findings.append(problem(value, "\(here) must name JSON types (\(Self.types.sorted().joined(separator: ", ")))"))
                }
            case "required":
                if value.sequence == nil || value.sequence!.contains(where: { $0.scalar == nil }) {
                    findings.append(problem(value, "\(here) must be a list of property names"))
                }
            case "enum":
                if value.sequence == nil { findings.append(problem(value, "\(here) must be a list")) }
            case "$ref":
                if value.scalar == nil || (value.string ?? "").isEmpty {
                    findings.append(problem(value, "\(here) must be a URI reference string"))
                }
            case _ where Self.schemaMaps.contains(name):
                guard let children = value.mapping else {
                    findings.append(problem(value, "\(here) must map names to schemas"))
                    continue
                }
                for (childKey, child) in children { walk(child, at: "\(here)/\(childKey.string ?? "?")", into: &findings) }
            case _ where Self.schemaLists.contains(name):
                guard let children = value.sequence, !children.isEmpty else {
                    findings.append(problem(value, "\(here) must be a non-empty list of schemas"))
                    continue
                }
                for (index, child) in children.enumerated() { walk(child, at: "\(here)/\(index)", into: &findings) }
            case _ where Self.schemaValues.contains(name):
                if name == "items", let list = value.sequence {  // draft-04..2019-09 tuple form
                    for (index, child) in list.enumerated() { walk(child, at: "\(here)/\(index)", into: &findings) }
                } else {
                    walk(value, at: here, into: &findings)
                }
            case _ where Self.numbers.contains(name):
                if value.scalar == nil || Double(value.string ?? "") == nil, !(value.string == "true" || value.string == "false") {
                    findings.append(problem(value, "\(here) must be a number"))
                }
            case _ where Self.counts.contains(name):
                if value.scalar == nil || (Int(value.string ?? "") ?? -1) < 0 {
                    findings.append(problem(value, "\(here) must be a non-negative integer"))
                }
            default:
                continue
            }
        }
    }

    private func problem(_ node: Node, _ message: String) -> Finding {
        Finding(.contractsSchemaInvalid, file: file, line: node.mark?.line ?? 0, column: node.mark?.column, message: message)
    }

    private func kind(_ node: Node) -> String {
        node.sequence != nil ? "a list" : "a single value"
    }
}
