/// The objects an OpenAPI document is made of, as the specification names them: where a problem lies.
enum OpenAPIObject: Hashable, Sendable {
    case document, info, contact, license, server, serverVariable, components, paths, pathItem, operation
    case externalDocs, parameter, requestBody, mediaType, encoding, responses, response, callback, example
    case link, header, tag, reference, schema, discriminator, xml, securityScheme, oauthFlows
    case implicitFlow, passwordFlow, clientCredentialsFlow, authorizationCodeFlow, securityRequirement

    /// The specification's name for the object.
    var name: String {
        switch self {
        case .document: "OpenAPI Object"
        case .info: "Info Object"
        case .contact: "Contact Object"
        case .license: "License Object"
        case .server: "Server Object"
        case .serverVariable: "Server Variable Object"
        case .components: "Components Object"
        case .paths: "Paths Object"
        case .pathItem: "Path Item Object"
        case .operation: "Operation Object"
        case .externalDocs: "External Documentation Object"
        case .parameter: "Parameter Object"
        case .requestBody: "Request Body Object"
        case .mediaType: "Media Type Object"
        case .encoding: "Encoding Object"
        case .responses: "Responses Object"
        case .response: "Response Object"
        case .callback: "Callback Object"
        case .example: "Example Object"
        case .link: "Link Object"
        case .header: "Header Object"
        case .tag: "Tag Object"
        case .reference: "Reference Object"
        case .schema: "Schema Object"
        case .discriminator: "Discriminator Object"
        case .xml: "XML Object"
        case .securityScheme: "Security Scheme Object"
        case .oauthFlows: "OAuth Flows Object"
        case .implicitFlow: "OAuth Flow Object (implicit)"
        case .passwordFlow: "OAuth Flow Object (password)"
        case .clientCredentialsFlow: "OAuth Flow Object (clientCredentials)"
        case .authorizationCodeFlow: "OAuth Flow Object (authorizationCode)"
        case .securityRequirement: "Security Requirement Object"
        }
    }
}

/// What a field's value must be.
enum OpenAPIValueKind: Hashable, Sendable {
    case string, boolean, number, integer, nonNegativeInteger, positiveNumber, object, array, stringArray
    /// A schema: an object (3.0), or an object or a boolean (3.1).
    case schema
    /// An object or a boolean (`additionalProperties`).
    case objectOrBoolean
    /// A type name, or (3.1) a list of them.
    case typeName

    var phrase: String {
        switch self {
        case .string: "a string"
        case .boolean: "a boolean"
        case .number: "a number"
        case .integer: "an integer"
        case .nonNegativeInteger: "an integer of at least 0"
        case .positiveNumber: "a number greater than 0"
        case .object: "an object"
        case .array: "a list"
        case .stringArray: "a list of strings"
        case .schema: "a schema"
        case .objectOrBoolean: "an object or a boolean"
        case .typeName: "a type name or a list of type names"
        }
    }
}

/// Why a field that exists in the object is not allowed where it stands.
enum OpenAPICondition: Hashable, Sendable {
    /// The parameter or header has `content`, not `schema`.
    case contentGiven
    /// Only a query parameter may have it.
    case notQuery
    /// `bearerFormat` belongs to the bearer scheme only.
    case notBearer
    /// The security scheme's type has no such field.
    case schemeType(String)
}

/// One structural problem in an OpenAPI document; text is rendered from it in ``message`` and ``hint``.
enum OpenAPIProblem: Hashable, Sendable {
    case missing(field: String, in: OpenAPIObject)
    case unknown(field: String, in: OpenAPIObject)
    case notAllowed(field: String, in: OpenAPIObject, because: OpenAPICondition)
    case wrongType(field: String, in: OpenAPIObject, expected: OpenAPIValueKind)
    case notAmong(field: String, in: OpenAPIObject, value: String, allowed: [String])
    case emptyList(field: String, in: OpenAPIObject)
    case repeatedItem(field: String, in: OpenAPIObject, value: String)
    /// Two fields the object allows only one of.
    case exclusive(String, String, in: OpenAPIObject)
    /// Neither of two fields, and the object needs one.
    case neither(String, String, in: OpenAPIObject)
    case pathParameterOptional(name: String)
    case contentEntries(count: Int, in: OpenAPIObject)
    case statusCode(String)
    case noResponse
    case pathKey(String)
    case componentName(String)
    case unresolved(reference: String)
    case external(reference: String)
    case referenceSibling(field: String)
    case duplicateParameter(name: String, location: String)
    case duplicateTag(String)
    /// A 3.1 document with none of `paths`, `components`, `webhooks`.
    case nothingDescribed
    /// `nullable` in a 3.1 schema: removed in 3.1, where `null` is a type.
    case nullableIn31
    /// A list of types, or the `null` type, in a 3.0 schema.
    case typeListIn30
    /// A boolean `exclusiveMinimum`/`exclusiveMaximum` in a 3.1 schema, where they are numbers.
    case booleanBoundIn31(field: String)
    /// A schema's `default` that its own `type` rejects.
    case defaultMismatch(type: String)

    var message: String {
        switch self {
        case .missing(let field, let object): "\(object.name) lacks the required field '\(field)'"
        case .unknown(let field, let object): "\(object.name) does not allow the field '\(field)'"
        case .notAllowed(let field, let object, let condition):
            switch condition {
            case .contentGiven: "\(object.name) has content, so it may not have '\(field)' (that belongs with schema)"
            case .notQuery: "\(object.name) has '\(field)', which only a query parameter may have"
            case .notBearer: "\(object.name) has '\(field)', which only the bearer scheme has"
            case .schemeType(let type): "\(object.name) of type '\(type)' does not allow the field '\(field)'"
            }
        case .wrongType(let field, let object, let expected): "'\(field)' of the \(object.name) must be \(expected.phrase)"
        case .notAmong(let field, let object, let value, let allowed):
            "'\(field)' of the \(object.name) is '\(value)', not one of \(allowed.joined(separator: ", "))"
        case .emptyList(let field, let object): "'\(field)' of the \(object.name) must not be empty"
        case .repeatedItem(let field, let object, let value): "'\(field)' of the \(object.name) lists '\(value)' twice"
        case .exclusive(let first, let second, let object): "\(object.name) has both '\(first)' and '\(second)'; they exclude each other"
        case .neither(let first, let second, let object): "\(object.name) has neither '\(first)' nor '\(second)'; it needs one"
        case .pathParameterOptional(let name): "path parameter '\(name)' must have required: true"
        case .contentEntries(let count, let object): "content of the \(object.name) must hold exactly one media type, not \(count)"
        case .statusCode(let code): "'\(code)' is not a response status code (100-599, 1XX-5XX or default)"
        case .noResponse: "Responses Object lists no response"
        case .pathKey(let path): "path '\(path)' does not start with '/'"
        case .componentName(let name): "component name '\(name)' may hold only letters, digits, '.', '-' and '_'"
        case .unresolved(let reference): "$ref '\(reference)' does not resolve in this document"
        case .external(let reference): "$ref '\(reference)' refers outside this document, which Handoff does not load"
        case .referenceSibling(let field): "Reference Object allows only summary and description beside $ref, not '\(field)'"
        case .duplicateParameter(let name, let location): "parameter '\(name)' in \(location) is listed twice"
        case .duplicateTag(let name): "tag '\(name)' is defined twice"
        case .nothingDescribed: "OpenAPI Object has none of paths, components and webhooks"
        case .nullableIn31: "'nullable' is not part of OpenAPI 3.1 schemas"
        case .typeListIn30: "OpenAPI 3.0 schemas take one type name, without 'null'"
        case .booleanBoundIn31(let field): "'\(field)' is a number in OpenAPI 3.1 schemas, not a boolean"
        case .defaultMismatch(let type): "the schema's default is not of its type '\(type)'"
        }
    }

    var hint: String? {
        switch self {
        case .nullableIn31: "Add 'null' to the type instead: type: [string, 'null']."
        case .typeListIn30: "Use one type and nullable: true, or declare openapi: 3.1.0."
        case .booleanBoundIn31: "Write exclusiveMinimum: 5 instead of minimum: 5 with exclusiveMinimum: true."
        case .external: "Copy the referenced definition under components and refer to it with '#/components/...'."
        case .unresolved: "Define the target, or fix the JSON pointer after '#'."
        case .statusCode: "Quote the code ('200') and use a real HTTP status."
        default: nil
        }
    }
}

/// A structural problem and where the nodes put it.
struct OpenAPIStructuralIssue: Hashable, Sendable {
    var problem: OpenAPIProblem
    /// 1-based line.
    var line: Int
    /// 1-based column.
    var column: Int
}
