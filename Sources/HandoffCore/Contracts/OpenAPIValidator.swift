internal import Yams

/// Validates an OpenAPI 3.0 or 3.1 document in one walk over its parsed nodes, positions taken from the nodes.
///
/// Replaces decoding into OpenAPIKit's model, which read every object twice, decoded by trying alternatives
/// and validated by re-encoding: each object's keys are looked up once in ``OpenAPIFields`` and each value
/// checked where it stands. Local `$ref`s are collected on the way and resolved at the end; external ones
/// are refused (Handoff never loads another file).
struct OpenAPIValidator {
    let root: Node
    let version: OpenAPIVersion
    private(set) var issues: [OpenAPIStructuralIssue] = []
    private var references: [(text: String, node: Node)] = []

    /// Every structural problem of the document `root`, read as `version`.
    static func issues(in root: Node, version: OpenAPIVersion) -> [OpenAPIStructuralIssue] {
        var validator = OpenAPIValidator(root: root, version: version)
        validator.object(root, .document, field: "openapi")
        validator.resolveReferences()
        return validator.issues
    }

    private init(root: Node, version: OpenAPIVersion) {
        self.root = root
        self.version = version
    }

    private mutating func report(_ problem: OpenAPIProblem, at node: Node?) {
        let mark = node?.mark
        issues.append(OpenAPIStructuralIssue(problem: problem, line: mark?.line ?? 1, column: mark?.column ?? 1))
    }

    // MARK: values

    /// True when `node` is a scalar of `kind`.
    private static func isScalar(_ node: Node, _ kind: ScalarKind) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return ScalarKind(scalar) == kind
    }

    /// True when `node` is the boolean true (YAML 1.1 spells it seven ways).
    private static func isTrue(_ node: Node?) -> Bool {
        guard let node, case .scalar(let scalar) = node, ScalarKind(scalar) == .boolean else { return false }
        switch scalar.string {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        default: return false
        }
    }

    private static func isNumber(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        let kind = ScalarKind(scalar)
        return kind == .integer || kind == .float
    }

    /// The text of `node` when it is a string scalar.
    private static func string(_ node: Node?) -> String? {
        guard let node, case .scalar(let scalar) = node, ScalarKind(scalar) == .string else { return nil }
        return scalar.string
    }

    private mutating func value(_ node: Node, _ rule: FieldRule, field: String, in object: OpenAPIObject) {
        switch rule {
        case .any:
            return
        case .string:
            if !Self.isScalar(node, .string) { report(.wrongType(field: field, in: object, expected: .string), at: node) }
        case .boolean:
            if !Self.isScalar(node, .boolean) { report(.wrongType(field: field, in: object, expected: .boolean), at: node) }
        case .number:
            if !Self.isNumber(node) { report(.wrongType(field: field, in: object, expected: .number), at: node) }
        case .among(let allowed):
            guard let text = Self.string(node) else {
                report(.wrongType(field: field, in: object, expected: .string), at: node)
                return
            }
            if !allowed.contains(text) { report(.notAmong(field: field, in: object, value: text, allowed: allowed), at: node) }
        case .object(let kind):
            self.object(node, kind, field: field)
        case .orReference(let kind):
            if kind != .pathItem, let reference = node.child("$ref") {
                self.reference(node, target: reference)
            } else {
                self.object(node, kind, field: field)
            }
        case .schema:
            schema(node, field: field)
        case .map(let inner), .components(let inner):
            guard case .mapping(let mapping) = node else {
                report(.wrongType(field: field, in: object, expected: .object), at: node)
                return
            }
            let named = if case .components = rule { true } else { false }
            for (key, entry) in mapping {
                let name = key.scalar?.string ?? ""
                if named, !Self.isComponentName(name) { report(.componentName(name), at: key) }
                value(entry, inner, field: name, in: object)
            }
        case .list(let inner):
            guard case .sequence(let sequence) = node else {
                report(.wrongType(field: field, in: object, expected: .array), at: node)
                return
            }
            for item in sequence { value(item, inner, field: field, in: object) }
        case .strings:
            guard case .sequence(let sequence) = node, sequence.allSatisfy({ Self.isScalar($0, .string) }) else {
                report(.wrongType(field: field, in: object, expected: .stringArray), at: node)
                return
            }
        }
    }

    /// `^[a-zA-Z0-9.\-_]+$`, the components' name pattern.
    private static func isComponentName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    // MARK: objects

    private mutating func object(_ node: Node, _ kind: OpenAPIObject, field: String) {
        guard case .mapping(let mapping) = node else {
            report(.wrongType(field: field, in: kind, expected: .object), at: node)
            return
        }
        switch kind {
        case .paths: return paths(mapping)
        case .responses: return responses(node, mapping)
        case .callback: return callback(mapping)
        case .securityRequirement:
            for (key, scopes) in mapping { value(scopes, .strings, field: key.scalar?.string ?? "", in: .securityRequirement) }
            return
        default: break
        }
        guard let fields = OpenAPIFields.fields(kind, version) else { return }
        for (key, entry) in mapping {
            guard let name = key.scalar?.string else { continue }
            if let rule = fields[name] {
                value(entry, rule, field: name, in: kind)
            } else if name.hasPrefix("x-") || (kind == .discriminator && version == .v30) {
                continue
            } else {
                report(.unknown(field: name, in: kind), at: key)
            }
        }
        for required in OpenAPIFields.required(kind, version) where node.child(required) == nil {
            report(.missing(field: required, in: kind), at: node)
        }
        switch kind {
        case .document: document(node)
        case .license:
            if version == .v31 { exclusive("identifier", "url", in: node, kind) }
        case .serverVariable:
            if version == .v31, let list = node.child("enum")?.sequence, list.isEmpty {
                report(.emptyList(field: "enum", in: kind), at: node.child("enum"))
            }
        case .pathItem, .operation:
            uniqueParameters(node.child("parameters"))
        case .parameter, .header:
            parameter(node, kind)
        case .mediaType:
            exclusive("example", "examples", in: node, kind)
        case .example:
            exclusive("value", "externalValue", in: node, kind)
        case .link:
            exclusive("operationId", "operationRef", in: node, kind)
            if version == .v31, node.child("operationId") == nil, node.child("operationRef") == nil {
                report(.neither("operationId", "operationRef", in: kind), at: node)
            }
        case .securityScheme:
            securityScheme(node, mapping)
        default:
            break
        }
    }

    private mutating func exclusive(_ first: String, _ second: String, in node: Node, _ kind: OpenAPIObject) {
        if node.child(first) != nil, node.child(second) != nil { report(.exclusive(first, second, in: kind), at: node) }
    }

    private mutating func document(_ node: Node) {
        if version == .v31, node.child("paths") == nil, node.child("components") == nil, node.child("webhooks") == nil {
            report(.nothingDescribed, at: node)
        }
        var names: Set<String> = []
        for tag in node.child("tags")?.sequence ?? Node.Sequence([]) {
            guard let name = Self.string(tag.child("name")) else { continue }
            if !names.insert(name).inserted { report(.duplicateTag(name), at: tag.child("name")) }
        }
    }

    private mutating func paths(_ mapping: Node.Mapping) {
        for (key, item) in mapping {
            let path = key.scalar?.string ?? ""
            if path.hasPrefix("/") {
                object(item, .pathItem, field: path)
            } else if !path.hasPrefix("x-") {
                report(.pathKey(path), at: key)
            }
        }
    }

    private mutating func callback(_ mapping: Node.Mapping) {
        for (key, item) in mapping {
            let expression = key.scalar?.string ?? ""
            if !expression.hasPrefix("x-") { object(item, .pathItem, field: expression) }
        }
    }

    private mutating func responses(_ node: Node, _ mapping: Node.Mapping) {
        var any = false
        for (key, response) in mapping {
            let code = key.scalar?.string ?? ""
            if code == "default" || Self.isStatusCode(code) {
                any = true
                value(response, .orReference(.response), field: code, in: .responses)
            } else if !code.hasPrefix("x-") {
                report(.statusCode(code), at: key)
            }
        }
        if !any { report(.noResponse, at: node) }
    }

    /// `^[1-5](?:[0-9]{2}|XX)$`.
    private static func isStatusCode(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard bytes.count == 3, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(bytes[0]) else { return false }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        return (digits.contains(bytes[1]) && digits.contains(bytes[2])) || (bytes[1] == UInt8(ascii: "X") && bytes[2] == UInt8(ascii: "X"))
    }

    /// Parameters of one list are unique by name and location, references followed.
    private mutating func uniqueParameters(_ list: Node?) {
        guard let list = list?.sequence, list.count > 1 else { return }
        var seen: Set<[String]> = []
        for entry in list {
            let parameter = entry.child("$ref").flatMap { Self.string($0) }.map { JSONPointer.target(of: $0, in: root) } ?? entry
            guard let parameter, let name = Self.string(parameter.child("name")), let location = Self.string(parameter.child("in")) else {
                continue
            }
            if !seen.insert([name, location]).inserted { report(.duplicateParameter(name: name, location: location), at: entry) }
        }
    }

    /// The rules of parameters and headers beyond their fields' types.
    private mutating func parameter(_ node: Node, _ kind: OpenAPIObject) {
        let location = Self.string(node.child("in"))
        if location == "path", !Self.isTrue(node.child("required")) {
            report(.pathParameterOptional(name: Self.string(node.child("name")) ?? "?"), at: node)
        }
        let schema = node.child("schema"), content = node.child("content")
        if schema != nil, content != nil {
            report(.exclusive("schema", "content", in: kind), at: node)
        } else if schema == nil, content == nil {
            report(.neither("schema", "content", in: kind), at: node)
        }
        if let entries = content?.mapping, entries.count != 1 { report(.contentEntries(count: entries.count, in: kind), at: content) }
        if kind == .parameter, let location, let style = Self.string(node.child("style")) {
            let allowed = OpenAPIFields.styles(location)
            if !allowed.isEmpty, !allowed.contains(style) {
                report(.notAmong(field: "style", in: kind, value: style, allowed: allowed), at: node.child("style"))
            }
        }
        if content != nil {
            for field in ["style", "explode", "allowReserved", "example", "examples"] where node.child(field) != nil {
                report(.notAllowed(field: field, in: kind, because: .contentGiven), at: node.child(field))
            }
        }
        if version == .v31, kind == .parameter, location != "query" {
            for field in ["allowEmptyValue", "allowReserved"] where node.child(field) != nil {
                report(.notAllowed(field: field, in: kind, because: .notQuery), at: node.child(field))
            }
        }
        exclusive("example", "examples", in: node, kind)
    }

    private mutating func securityScheme(_ node: Node, _ mapping: Node.Mapping) {
        guard let type = Self.string(node.child("type")) else { return }
        let own = OpenAPIFields.schemeFields(type)
        let bearer = Self.string(node.child("scheme"))?.lowercased() == "bearer"
        for (key, _) in mapping {
            guard let name = key.scalar?.string, name != "type", name != "description", !name.hasPrefix("x-") else { continue }
            if !own.contains(name) {
                report(.notAllowed(field: name, in: .securityScheme, because: .schemeType(type)), at: key)
            } else if name == "bearerFormat", !bearer {
                report(.notAllowed(field: name, in: .securityScheme, because: .notBearer), at: key)
            }
        }
        let required: [String] =
            switch type {
            case "apiKey": ["name", "in"]
            case "http": ["scheme"]
            case "oauth2": ["flows"]
            case "openIdConnect": ["openIdConnectUrl"]
            default: []
            }
        for field in required where node.child(field) == nil { report(.missing(field: field, in: .securityScheme), at: node) }
    }

    // MARK: references

    /// A Reference Object: `$ref` must be a local pointer; 3.1 allows only summary and description beside it.
    private mutating func reference(_ node: Node, target: Node) {
        record(target)
        guard version == .v31, case .mapping(let mapping) = node else { return }
        for (key, entry) in mapping {
            let name = key.scalar?.string ?? ""
            switch name {
            case "$ref": continue
            case "summary", "description": value(entry, .string, field: name, in: .reference)
            default: report(.referenceSibling(field: name), at: key)
            }
        }
    }

    /// Notes the `$ref` value `target` for resolution at the end, or refuses it when it leaves the document.
    private mutating func record(_ target: Node) {
        guard let text = Self.string(target) else {
            report(.wrongType(field: "$ref", in: .reference, expected: .string), at: target)
            return
        }
        if text.first == "#" {
            references.append((text, target))
        } else {
            report(.external(reference: text), at: target)
        }
    }

    private mutating func resolveReferences() {
        var resolved: [String: Bool] = [:]
        for (text, node) in references {
            let found: Bool
            if let known = resolved[text] {
                found = known
            } else {
                found = JSONPointer.target(of: text, in: root) != nil
                resolved[text] = found
            }
            if !found { report(.unresolved(reference: text), at: node) }
        }
    }

    // MARK: schemas

    private static let types30 = ["array", "boolean", "integer", "number", "object", "string"]
    private static let types31 = ["array", "boolean", "integer", "number", "object", "string", "null"]

    private mutating func schema(_ node: Node, field: String) {
        guard case .mapping(let mapping) = node else {
            if version == .v31, Self.isScalar(node, .boolean) { return }
            report(.wrongType(field: field, in: .schema, expected: .schema), at: node)
            return
        }
        if version == .v30, let target = node.child("$ref") {
            // A 3.0 Reference Object: what stands beside $ref is ignored.
            return record(target)
        }
        let keywords = version == .v30 ? OpenAPIFields.schema30 : OpenAPIFields.schema31
        for (key, entry) in mapping {
            guard let name = key.scalar?.string else { continue }
            guard let keyword = keywords[name] else {
                if version == .v30, !name.hasPrefix("x-") { report(.unknown(field: name, in: .schema), at: key) }
                continue
            }
            keywordValue(entry, keyword, name: name, key: key)
        }
        schemaDefault(node)
    }

    private mutating func keywordValue(_ entry: Node, _ keyword: SchemaKeyword, name: String, key: Node) {
        switch keyword {
        case .any:
            return
        case .string:
            if !Self.isScalar(entry, .string) { report(.wrongType(field: name, in: .schema, expected: .string), at: entry) }
        case .boolean:
            if !Self.isScalar(entry, .boolean) { report(.wrongType(field: name, in: .schema, expected: .boolean), at: entry) }
        case .number:
            if Self.isNumber(entry) { return }
            if version == .v31, Self.isScalar(entry, .boolean) {
                report(.booleanBoundIn31(field: name), at: entry)
            } else {
                report(.wrongType(field: name, in: .schema, expected: .number), at: entry)
            }
        case .positiveNumber:
            guard Self.isNumber(entry), let number = Double(entry.scalar?.string.replacingUnderscores ?? ""), number > 0 else {
                return report(.wrongType(field: name, in: .schema, expected: .positiveNumber), at: entry)
            }
        case .count:
            guard Self.isScalar(entry, .integer), entry.scalar?.string.first != "-" else {
                return report(.wrongType(field: name, in: .schema, expected: .nonNegativeInteger), at: entry)
            }
        case .list, .nonEmptyList:
            guard let list = entry.sequence else { return report(.wrongType(field: name, in: .schema, expected: .array), at: entry) }
            if case .nonEmptyList = keyword, list.isEmpty { report(.emptyList(field: name, in: .schema), at: entry) }
        case .type:
            schemaType(entry)
        case .schema:
            schema(entry, field: name)
        case .schemas:
            guard let list = entry.sequence else { return report(.wrongType(field: name, in: .schema, expected: .array), at: entry) }
            if version == .v31, list.isEmpty { report(.emptyList(field: name, in: .schema), at: entry) }
            for item in list { schema(item, field: name) }
        case .schemaMap:
            guard let map = entry.mapping else { return report(.wrongType(field: name, in: .schema, expected: .object), at: entry) }
            for (_, item) in map { schema(item, field: name) }
        case .schemaOrBoolean:
            if Self.isScalar(entry, .boolean) { return }
            guard entry.mapping != nil else {
                return report(.wrongType(field: name, in: .schema, expected: .objectOrBoolean), at: entry)
            }
            schema(entry, field: name)
        case .requiredNames:
            requiredNames(entry, name: name)
        case .requiredMap:
            guard let map = entry.mapping else { return report(.wrongType(field: name, in: .schema, expected: .object), at: entry) }
            for (_, item) in map { requiredNames(item, name: name) }
        case .reference:
            record(entry)
        case .nullable:
            report(.nullableIn31, at: key)
        case .object(let kind):
            object(entry, kind, field: name)
        }
    }

    private mutating func requiredNames(_ entry: Node, name: String) {
        guard let list = entry.sequence, list.allSatisfy({ Self.isScalar($0, .string) }) else {
            return report(.wrongType(field: name, in: .schema, expected: .stringArray), at: entry)
        }
        if version == .v30, list.isEmpty { report(.emptyList(field: name, in: .schema), at: entry) }
        var seen: Set<String> = []
        for item in list where !seen.insert(item.scalar?.string ?? "").inserted {
            report(.repeatedItem(field: name, in: .schema, value: item.scalar?.string ?? ""), at: item)
        }
    }

    private mutating func schemaType(_ entry: Node) {
        let allowed = version == .v30 ? Self.types30 : Self.types31
        if let name = Self.string(entry) {
            if version == .v30, name == "null" { return report(.typeListIn30, at: entry) }
            if !allowed.contains(name) { report(.notAmong(field: "type", in: .schema, value: name, allowed: allowed), at: entry) }
            return
        }
        guard let list = entry.sequence else { return report(.wrongType(field: "type", in: .schema, expected: .typeName), at: entry) }
        if version == .v30 { return report(.typeListIn30, at: entry) }
        if list.isEmpty { return report(.emptyList(field: "type", in: .schema), at: entry) }
        var seen: Set<String> = []
        for item in list {
            guard let name = Self.string(item) else {
                report(.wrongType(field: "type", in: .schema, expected: .typeName), at: item)
                continue
            }
            if !allowed.contains(name) { report(.notAmong(field: "type", in: .schema, value: name, allowed: allowed), at: item) }
            if !seen.insert(name).inserted { report(.repeatedItem(field: "type", in: .schema, value: name), at: item) }
        }
    }

    /// A `default` its schema's own `type` rejects (a `null` default of a nullable 3.0 schema excepted).
    private mutating func schemaDefault(_ node: Node) {
        guard let value = node.child("default"), let typeNode = node.child("type") else { return }
        let types: [String]
        if let single = Self.string(typeNode) {
            types = [single]
        } else if let list = typeNode.sequence {
            types = list.compactMap { Self.string($0) }
        } else {
            return
        }
        let kind: ScalarKind?
        switch value {
        case .scalar(let scalar): kind = ScalarKind(scalar)
        default: kind = nil
        }
        if kind == .null, version == .v30, Self.isTrue(node.child("nullable")) {
            return
        }
        let fits = types.contains { type in
            switch type {
            case "string": kind == .string
            case "integer": kind == .integer
            case "number": kind == .integer || kind == .float
            case "boolean": kind == .boolean
            case "null": kind == .null
            case "object": value.mapping != nil
            case "array": value.sequence != nil
            default: true
            }
        }
        if !fits { report(.defaultMismatch(type: types.joined(separator: ", ")), at: value) }
    }
}

extension String {
    /// The text without YAML's digit separators, for `Double(_:)`.
    fileprivate var replacingUnderscores: String { contains("_") ? String(filter { $0 != "_" }) : self }
}
