/// Validates an OpenAPI 3.0 or 3.1 document in one walk over its parsed nodes (a ``YAMLTree``), positions
/// taken from the nodes.
///
/// Replaces decoding into OpenAPIKit's model, which read every object twice, decoded by trying alternatives
/// and validated by re-encoding: each object's keys are looked up once in ``OpenAPIFields`` and each value
/// checked where it stands. Local `$ref`s are collected on the way and resolved at the end; external ones
/// are refused (Handoff never loads another file).
struct OpenAPIValidator {
    let tree: YAMLTree
    let version: OpenAPIVersion
    private(set) var issues: [OpenAPIStructuralIssue] = []
    private var references: [(text: String, node: Int)] = []

    /// Every structural problem of the document `tree`, read as `version`.
    static func issues(in tree: YAMLTree, version: OpenAPIVersion) -> [OpenAPIStructuralIssue] {
        guard let root = tree.root else { return [] }
        var validator = OpenAPIValidator(tree: tree, version: version)
        validator.object(root, .document, field: "openapi")
        validator.resolveReferences()
        return validator.issues
    }

    private init(tree: YAMLTree, version: OpenAPIVersion) {
        self.tree = tree
        self.version = version
    }

    private mutating func report(_ problem: OpenAPIProblem, at node: Int?) {
        issues.append(
            OpenAPIStructuralIssue(problem: problem, line: node.map(tree.line) ?? 1, column: node.map(tree.column) ?? 1))
    }

    // MARK: values

    /// True when `node` is the boolean true (YAML 1.1 spells it nine ways).
    private func isTrue(_ node: Int?) -> Bool {
        guard let node, tree.isScalar(node, .boolean) else { return false }
        switch tree.text(node) {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        default: return false
        }
    }

    private func isNumber(_ node: Int) -> Bool {
        let kind = tree.scalarKind(node)
        return kind == .integer || kind == .float
    }

    private mutating func value(_ node: Int, _ rule: FieldRule, field: String, in object: OpenAPIObject) {
        switch rule {
        case .any:
            return
        case .string:
            if !tree.isScalar(node, .string) { report(.wrongType(field: field, in: object, expected: .string), at: node) }
        case .boolean:
            if !tree.isScalar(node, .boolean) { report(.wrongType(field: field, in: object, expected: .boolean), at: node) }
        case .number:
            if !isNumber(node) { report(.wrongType(field: field, in: object, expected: .number), at: node) }
        case .among(let allowed):
            guard let text = tree.string(node) else {
                report(.wrongType(field: field, in: object, expected: .string), at: node)
                return
            }
            if !allowed.contains(text) { report(.notAmong(field: field, in: object, value: text, allowed: allowed), at: node) }
        case .object(let kind):
            self.object(node, kind, field: field)
        case .orReference(let kind):
            if kind != .pathItem, let reference = tree.child(node, "$ref") {
                self.reference(node, target: reference)
            } else {
                self.object(node, kind, field: field)
            }
        case .schema:
            schema(node, field: field)
        case .map(let inner), .components(let inner):
            guard tree.isMapping(node) else {
                report(.wrongType(field: field, in: object, expected: .object), at: node)
                return
            }
            let named = if case .components = rule { true } else { false }
            for index in 0..<tree.pairCount(node) {
                let name = tree.keyText(node, index)
                if named, !Self.isComponentName(name) { report(.componentName(name), at: tree.key(node, index)) }
                value(tree.value(node, index), inner, field: name, in: object)
            }
        case .list(let inner):
            guard tree.isSequence(node) else {
                report(.wrongType(field: field, in: object, expected: .array), at: node)
                return
            }
            for index in 0..<tree.count(node) { value(tree.item(node, index), inner, field: field, in: object) }
        case .strings:
            guard tree.isSequence(node), (0..<tree.count(node)).allSatisfy({ tree.isScalar(tree.item(node, $0), .string) }) else {
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

    private mutating func object(_ node: Int, _ kind: OpenAPIObject, field: String) {
        guard tree.isMapping(node) else {
            report(.wrongType(field: field, in: kind, expected: .object), at: node)
            return
        }
        switch kind {
        case .paths: return paths(node)
        case .responses: return responses(node)
        case .callback: return callback(node)
        case .securityRequirement:
            for index in 0..<tree.pairCount(node) {
                value(tree.value(node, index), .strings, field: tree.keyText(node, index), in: .securityRequirement)
            }
            return
        default: break
        }
        guard let fields = OpenAPIFields.fields(kind, version) else { return }
        for index in 0..<tree.pairCount(node) {
            let key = tree.key(node, index)
            guard let name = tree.text(key) else { continue }
            if let rule = fields[name] {
                value(tree.value(node, index), rule, field: name, in: kind)
            } else if name.hasPrefix("x-") || (kind == .discriminator && version == .v30) {
                continue
            } else {
                report(.unknown(field: name, in: kind), at: key)
            }
        }
        for required in OpenAPIFields.required(kind, version) where tree.child(node, required) == nil {
            report(.missing(field: required, in: kind), at: node)
        }
        switch kind {
        case .document: document(node)
        case .license:
            if version == .v31 { exclusive("identifier", "url", in: node, kind) }
        case .serverVariable:
            if version == .v31, let list = tree.child(node, "enum"), tree.isSequence(list), tree.count(list) == 0 {
                report(.emptyList(field: "enum", in: kind), at: list)
            }
        case .pathItem, .operation:
            uniqueParameters(tree.child(node, "parameters"))
        case .parameter, .header:
            parameter(node, kind)
        case .mediaType:
            exclusive("example", "examples", in: node, kind)
        case .example:
            exclusive("value", "externalValue", in: node, kind)
        case .link:
            exclusive("operationId", "operationRef", in: node, kind)
            if version == .v31, tree.child(node, "operationId") == nil, tree.child(node, "operationRef") == nil {
                report(.neither("operationId", "operationRef", in: kind), at: node)
            }
        case .securityScheme:
            securityScheme(node)
        default:
            break
        }
    }

    private mutating func exclusive(_ first: String, _ second: String, in node: Int, _ kind: OpenAPIObject) {
        if tree.child(node, first) != nil, tree.child(node, second) != nil { report(.exclusive(first, second, in: kind), at: node) }
    }

    private mutating func document(_ node: Int) {
        if version == .v31, tree.child(node, "paths") == nil, tree.child(node, "components") == nil, tree.child(node, "webhooks") == nil {
            report(.nothingDescribed, at: node)
        }
        var names: Set<String> = []
        for tag in tree.items(tree.child(node, "tags")) {
            guard let nameNode = tree.child(tag, "name"), let name = tree.string(nameNode) else { continue }
            if !names.insert(name).inserted { report(.duplicateTag(name), at: nameNode) }
        }
    }

    private mutating func paths(_ node: Int) {
        for index in 0..<tree.pairCount(node) {
            let path = tree.keyText(node, index)
            if path.hasPrefix("/") {
                object(tree.value(node, index), .pathItem, field: path)
            } else if !path.hasPrefix("x-") {
                report(.pathKey(path), at: tree.key(node, index))
            }
        }
    }

    private mutating func callback(_ node: Int) {
        for index in 0..<tree.pairCount(node) {
            let expression = tree.keyText(node, index)
            if !expression.hasPrefix("x-") { object(tree.value(node, index), .pathItem, field: expression) }
        }
    }

    private mutating func responses(_ node: Int) {
        var any = false
        for index in 0..<tree.pairCount(node) {
            let code = tree.keyText(node, index)
            if code == "default" || Self.isStatusCode(code) {
                any = true
                value(tree.value(node, index), .orReference(.response), field: code, in: .responses)
            } else if !code.hasPrefix("x-") {
                report(.statusCode(code), at: tree.key(node, index))
            }
        }
        if !any { report(.noResponse, at: node) }
    }

    /// `^[1-5](?:[0-9]{2}|XX)$`.
    private static func isStatusCode(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { bytes in
            guard bytes.count == 3, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(bytes[0]) else { return false }
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            return (digits.contains(bytes[1]) && digits.contains(bytes[2])) || (bytes[1] == UInt8(ascii: "X") && bytes[2] == UInt8(ascii: "X"))
        }
    }

    /// Parameters of one list are unique by name and location, references followed.
    private mutating func uniqueParameters(_ list: Int?) {
        guard let list, tree.isSequence(list), tree.count(list) > 1 else { return }
        var seen: Set<[String]> = []
        for entry in tree.items(list) {
            let target = tree.child(entry, "$ref").flatMap { tree.string($0) }.map { JSONPointer.target(of: $0, in: tree) } ?? entry
            guard let parameter = target, let name = tree.child(parameter, "name").flatMap({ tree.string($0) }),
                let location = tree.child(parameter, "in").flatMap({ tree.string($0) })
            else { continue }
            if !seen.insert([name, location]).inserted { report(.duplicateParameter(name: name, location: location), at: entry) }
        }
    }

    /// The rules of parameters and headers beyond their fields' types.
    private mutating func parameter(_ node: Int, _ kind: OpenAPIObject) {
        let location = tree.child(node, "in").flatMap { tree.string($0) }
        if location == "path", !isTrue(tree.child(node, "required")) {
            report(.pathParameterOptional(name: tree.child(node, "name").flatMap { tree.string($0) } ?? "?"), at: node)
        }
        let schema = tree.child(node, "schema"), content = tree.child(node, "content")
        if schema != nil, content != nil {
            report(.exclusive("schema", "content", in: kind), at: node)
        } else if schema == nil, content == nil {
            report(.neither("schema", "content", in: kind), at: node)
        }
        if let content, tree.isMapping(content), tree.count(content) != 1 {
            report(.contentEntries(count: tree.count(content), in: kind), at: content)
        }
        if kind == .parameter, let location, let styleNode = tree.child(node, "style"), let style = tree.string(styleNode) {
            let allowed = OpenAPIFields.styles(location)
            if !allowed.isEmpty, !allowed.contains(style) {
                report(.notAmong(field: "style", in: kind, value: style, allowed: allowed), at: styleNode)
            }
        }
        if content != nil {
            for field in ["style", "explode", "allowReserved", "example", "examples"] {
                if let present = tree.child(node, field) { report(.notAllowed(field: field, in: kind, because: .contentGiven), at: present) }
            }
        }
        if version == .v31, kind == .parameter, location != "query" {
            for field in ["allowEmptyValue", "allowReserved"] {
                if let present = tree.child(node, field) { report(.notAllowed(field: field, in: kind, because: .notQuery), at: present) }
            }
        }
        exclusive("example", "examples", in: node, kind)
    }

    private mutating func securityScheme(_ node: Int) {
        guard let type = tree.child(node, "type").flatMap({ tree.string($0) }) else { return }
        let own = OpenAPIFields.schemeFields(type)
        let bearer = tree.child(node, "scheme").flatMap { tree.string($0) }?.lowercased() == "bearer"
        for index in 0..<tree.pairCount(node) {
            let name = tree.keyText(node, index)
            guard name != "type", name != "description", !name.hasPrefix("x-") else { continue }
            if !own.contains(name) {
                report(.notAllowed(field: name, in: .securityScheme, because: .schemeType(type)), at: tree.key(node, index))
            } else if name == "bearerFormat", !bearer {
                report(.notAllowed(field: name, in: .securityScheme, because: .notBearer), at: tree.key(node, index))
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
        for field in required where tree.child(node, field) == nil { report(.missing(field: field, in: .securityScheme), at: node) }
    }

    // MARK: references

    /// A Reference Object: `$ref` must be a local pointer; 3.1 allows only summary and description beside it.
    private mutating func reference(_ node: Int, target: Int) {
        record(target)
        guard version == .v31 else { return }
        for index in 0..<tree.pairCount(node) {
            let name = tree.keyText(node, index)
            switch name {
            case "$ref": continue
            case "summary", "description": value(tree.value(node, index), .string, field: name, in: .reference)
            default: report(.referenceSibling(field: name), at: tree.key(node, index))
            }
        }
    }

    /// Notes the `$ref` value `target` for resolution at the end, or refuses it when it leaves the document.
    private mutating func record(_ target: Int) {
        guard let text = tree.string(target) else {
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
                found = JSONPointer.target(of: text, in: tree) != nil
                resolved[text] = found
            }
            if !found { report(.unresolved(reference: text), at: node) }
        }
    }

    // MARK: schemas

    private static let types30 = ["array", "boolean", "integer", "number", "object", "string"]
    private static let types31 = ["array", "boolean", "integer", "number", "object", "string", "null"]

    private mutating func schema(_ node: Int, field: String) {
        guard tree.isMapping(node) else {
            if version == .v31, tree.isScalar(node, .boolean) { return }
            report(.wrongType(field: field, in: .schema, expected: .schema), at: node)
            return
        }
        if version == .v30, let target = tree.child(node, "$ref") {
            // A 3.0 Reference Object: what stands beside $ref is ignored.
            return record(target)
        }
        let keywords = version == .v30 ? OpenAPIFields.schema30 : OpenAPIFields.schema31
        for index in 0..<tree.pairCount(node) {
            let key = tree.key(node, index)
            guard let name = tree.text(key) else { continue }
            guard let keyword = keywords[name] else {
                if version == .v30, !name.hasPrefix("x-") { report(.unknown(field: name, in: .schema), at: key) }
                continue
            }
            keywordValue(tree.value(node, index), keyword, name: name, key: key)
        }
        schemaDefault(node)
    }

    private mutating func keywordValue(_ entry: Int, _ keyword: SchemaKeyword, name: String, key: Int) {
        switch keyword {
        case .any:
            return
        case .string:
            if !tree.isScalar(entry, .string) { report(.wrongType(field: name, in: .schema, expected: .string), at: entry) }
        case .boolean:
            if !tree.isScalar(entry, .boolean) { report(.wrongType(field: name, in: .schema, expected: .boolean), at: entry) }
        case .number:
            if isNumber(entry) { return }
            if version == .v31, tree.isScalar(entry, .boolean) {
                report(.booleanBoundIn31(field: name), at: entry)
            } else {
                report(.wrongType(field: name, in: .schema, expected: .number), at: entry)
            }
        case .positiveNumber:
            guard isNumber(entry), let number = Double(tree.text(entry)?.replacingUnderscores ?? ""), number > 0 else {
                return report(.wrongType(field: name, in: .schema, expected: .positiveNumber), at: entry)
            }
        case .count:
            guard tree.isScalar(entry, .integer), tree.text(entry)?.first != "-" else {
                return report(.wrongType(field: name, in: .schema, expected: .nonNegativeInteger), at: entry)
            }
        case .list, .nonEmptyList:
            guard tree.isSequence(entry) else { return report(.wrongType(field: name, in: .schema, expected: .array), at: entry) }
            if case .nonEmptyList = keyword, tree.count(entry) == 0 { report(.emptyList(field: name, in: .schema), at: entry) }
        case .type:
            schemaType(entry)
        case .schema:
            schema(entry, field: name)
        case .schemas:
            guard tree.isSequence(entry) else { return report(.wrongType(field: name, in: .schema, expected: .array), at: entry) }
            if version == .v31, tree.count(entry) == 0 { report(.emptyList(field: name, in: .schema), at: entry) }
            for index in 0..<tree.count(entry) { schema(tree.item(entry, index), field: name) }
        case .schemaMap:
            guard tree.isMapping(entry) else { return report(.wrongType(field: name, in: .schema, expected: .object), at: entry) }
            for index in 0..<tree.pairCount(entry) { schema(tree.value(entry, index), field: name) }
        case .schemaOrBoolean:
            if tree.isScalar(entry, .boolean) { return }
            guard tree.isMapping(entry) else {
                return report(.wrongType(field: name, in: .schema, expected: .objectOrBoolean), at: entry)
            }
            schema(entry, field: name)
        case .requiredNames:
            requiredNames(entry, name: name)
        case .requiredMap:
            guard tree.isMapping(entry) else { return report(.wrongType(field: name, in: .schema, expected: .object), at: entry) }
            for index in 0..<tree.pairCount(entry) { requiredNames(tree.value(entry, index), name: name) }
        case .reference:
            record(entry)
        case .nullable:
            report(.nullableIn31, at: key)
        case .object(let kind):
            object(entry, kind, field: name)
        }
    }

    private mutating func requiredNames(_ entry: Int, name: String) {
        let items = tree.items(entry)
        guard tree.isSequence(entry), items.allSatisfy({ tree.isScalar($0, .string) }) else {
            return report(.wrongType(field: name, in: .schema, expected: .stringArray), at: entry)
        }
        if version == .v30, items.isEmpty { report(.emptyList(field: name, in: .schema), at: entry) }
        var seen: Set<String> = []
        for item in items where !seen.insert(tree.text(item) ?? "").inserted {
            report(.repeatedItem(field: name, in: .schema, value: tree.text(item) ?? ""), at: item)
        }
    }

    private mutating func schemaType(_ entry: Int) {
        let allowed = version == .v30 ? Self.types30 : Self.types31
        if let name = tree.string(entry) {
            if version == .v30, name == "null" { return report(.typeListIn30, at: entry) }
            if !allowed.contains(name) { report(.notAmong(field: "type", in: .schema, value: name, allowed: allowed), at: entry) }
            return
        }
        guard tree.isSequence(entry) else { return report(.wrongType(field: "type", in: .schema, expected: .typeName), at: entry) }
        if version == .v30 { return report(.typeListIn30, at: entry) }
        if tree.count(entry) == 0 { return report(.emptyList(field: "type", in: .schema), at: entry) }
        var seen: Set<String> = []
        for item in tree.items(entry) {
            guard let name = tree.string(item) else {
                report(.wrongType(field: "type", in: .schema, expected: .typeName), at: item)
                continue
            }
            if !allowed.contains(name) { report(.notAmong(field: "type", in: .schema, value: name, allowed: allowed), at: item) }
            if !seen.insert(name).inserted { report(.repeatedItem(field: "type", in: .schema, value: name), at: item) }
        }
    }

    /// A `default` its schema's own `type` rejects (a `null` default of a nullable 3.0 schema excepted).
    private mutating func schemaDefault(_ node: Int) {
        guard let value = tree.child(node, "default"), let typeNode = tree.child(node, "type") else { return }
        let types: [String]
        if let single = tree.string(typeNode) {
            types = [single]
        } else if tree.isSequence(typeNode) {
            types = tree.items(typeNode).compactMap { tree.string($0) }
        } else {
            return
        }
        let kind = tree.scalarKind(value)
        if kind == .null, version == .v30, isTrue(tree.child(node, "nullable")) {
            return
        }
        let fits = types.contains { type in
            switch type {
            case "string": kind == .string
            case "integer": kind == .integer
            case "number": kind == .integer || kind == .float
            case "boolean": kind == .boolean
            case "null": kind == .null
            case "object": tree.isMapping(value)
            case "array": tree.isSequence(value)
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
