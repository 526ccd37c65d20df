/// What the value of a fixed field must be: the shape the walk checks and descends into.
indirect enum FieldRule: Sendable {
    case string, boolean, number, any
    /// One of these strings.
    case among([String])
    /// An object of this kind.
    case object(OpenAPIObject)
    /// An object of this kind, or a Reference Object.
    case orReference(OpenAPIObject)
    case schema
    /// An object whose every value follows the rule.
    case map(FieldRule)
    /// A components section: a map whose names follow the components' pattern.
    case components(FieldRule)
    case list(FieldRule)
    case strings
}

/// The fixed fields of each object, by version: the one home of which keys an object allows.
enum OpenAPIFields {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    static let parameterLocations = ["query", "header", "path", "cookie"]

    /// The fields of `object` in `version`; nil for objects the walk reads by hand (paths, responses, schemas…).
    static func fields(_ object: OpenAPIObject, _ version: OpenAPIVersion) -> [String: FieldRule]? {
        version == .v30 ? v30[object] : v31[object]
    }

    /// The fields `object` requires in `version`.
    static func required(_ object: OpenAPIObject, _ version: OpenAPIVersion) -> [String] {
        switch object {
        case .document: version == .v30 ? ["openapi", "info", "paths"] : ["openapi", "info"]
        case .info: ["title", "version"]
        case .license: ["name"]
        case .server: ["url"]
        case .serverVariable: ["default"]
        case .operation: version == .v30 ? ["responses"] : []
        case .externalDocs: ["url"]
        case .parameter: ["name", "in"]
        case .requestBody: ["content"]
        case .response: ["description"]
        case .tag: ["name"]
        case .securityScheme: ["type"]
        case .discriminator: ["propertyName"]
        case .implicitFlow: ["authorizationUrl", "scopes"]
        case .passwordFlow, .clientCredentialsFlow: ["tokenUrl", "scopes"]
        case .authorizationCodeFlow: ["authorizationUrl", "tokenUrl", "scopes"]
        default: []
        }
    }

    private static let server: [String: FieldRule] = [
        "url": .string, "description": .string, "variables": .map(.object(.serverVariable)),
    ]
    private static let flow: [String: FieldRule] = ["refreshUrl": .string, "scopes": .map(.string)]

    private static let v30: [OpenAPIObject: [String: FieldRule]] = [
        .document: [
            "openapi": .string, "info": .object(.info), "externalDocs": .object(.externalDocs), "servers": .list(.object(.server)),
            "security": .list(.object(.securityRequirement)), "tags": .list(.object(.tag)), "paths": .object(.paths),
            "components": .object(.components),
        ],
        .info: [
            "title": .string, "description": .string, "termsOfService": .string, "contact": .object(.contact),
            "license": .object(.license), "version": .string,
        ],
        .contact: ["name": .string, "url": .string, "email": .string],
        .license: ["name": .string, "url": .string],
        .server: server,
        .serverVariable: ["enum": .strings, "default": .string, "description": .string],
        .components: [
            "schemas": .components(.schema), "responses": .components(.orReference(.response)),
            "parameters": .components(.orReference(.parameter)), "examples": .components(.orReference(.example)),
            "requestBodies": .components(.orReference(.requestBody)), "headers": .components(.orReference(.header)),
            "securitySchemes": .components(.orReference(.securityScheme)), "links": .components(.orReference(.link)),
            "callbacks": .components(.orReference(.callback)),
        ],
        .pathItem: [
            "$ref": .string, "summary": .string, "description": .string, "servers": .list(.object(.server)),
            "parameters": .list(.orReference(.parameter)),
            "get": .object(.operation), "put": .object(.operation), "post": .object(.operation), "delete": .object(.operation),
            "options": .object(.operation), "head": .object(.operation), "patch": .object(.operation), "trace": .object(.operation),
        ],
        .operation: [
            "tags": .strings, "summary": .string, "description": .string, "externalDocs": .object(.externalDocs),
            "operationId": .string, "parameters": .list(.orReference(.parameter)), "requestBody": .orReference(.requestBody),
            "responses": .object(.responses), "callbacks": .map(.orReference(.callback)), "deprecated": .boolean,
            "security": .list(.object(.securityRequirement)), "servers": .list(.object(.server)),
        ],
        .externalDocs: ["description": .string, "url": .string],
        .parameter: [
            "name": .string, "in": .among(parameterLocations), "description": .string, "required": .boolean, "deprecated": .boolean,
            "allowEmptyValue": .boolean, "style": .string, "explode": .boolean, "allowReserved": .boolean, "schema": .schema,
            "content": .map(.object(.mediaType)), "example": .any, "examples": .map(.orReference(.example)),
        ],
        .requestBody: ["description": .string, "content": .map(.object(.mediaType)), "required": .boolean],
        .mediaType: [
            "schema": .schema, "example": .any, "examples": .map(.orReference(.example)), "encoding": .map(.object(.encoding)),
        ],
        .encoding: [
            "contentType": .string, "headers": .map(.orReference(.header)),
            "style": .among(["form", "spaceDelimited", "pipeDelimited", "deepObject"]), "explode": .boolean, "allowReserved": .boolean,
        ],
        .response: [
            "description": .string, "headers": .map(.orReference(.header)), "content": .map(.object(.mediaType)),
            "links": .map(.orReference(.link)),
        ],
        .example: ["summary": .string, "description": .string, "value": .any, "externalValue": .string],
        .link: [
            "operationId": .string, "operationRef": .string, "parameters": .map(.any), "requestBody": .any, "description": .string,
            "server": .object(.server),
        ],
        .header: [
            "description": .string, "required": .boolean, "deprecated": .boolean, "allowEmptyValue": .boolean, "style": .among(["simple"]),
            "explode": .boolean, "allowReserved": .boolean, "schema": .schema, "content": .map(.object(.mediaType)), "example": .any,
            "examples": .map(.orReference(.example)),
        ],
        .tag: ["name": .string, "description": .string, "externalDocs": .object(.externalDocs)],
        .discriminator: ["propertyName": .string, "mapping": .map(.string)],
        .xml: ["name": .string, "namespace": .string, "prefix": .string, "attribute": .boolean, "wrapped": .boolean],
        .securityScheme: [
            "type": .among(["apiKey", "http", "oauth2", "openIdConnect"]), "description": .string, "name": .string,
            "in": .among(["query", "header", "cookie"]), "scheme": .string, "bearerFormat": .string, "flows": .object(.oauthFlows),
            "openIdConnectUrl": .string,
        ],
        .oauthFlows: [
            "implicit": .object(.implicitFlow), "password": .object(.passwordFlow), "clientCredentials": .object(.clientCredentialsFlow),
            "authorizationCode": .object(.authorizationCodeFlow),
        ],
        .implicitFlow: flow.merging(["authorizationUrl": .string]) { $1 },
        .passwordFlow: flow.merging(["tokenUrl": .string]) { $1 },
        .clientCredentialsFlow: flow.merging(["tokenUrl": .string]) { $1 },
        .authorizationCodeFlow: flow.merging(["authorizationUrl": .string, "tokenUrl": .string]) { $1 },
    ]

    private static let v31: [OpenAPIObject: [String: FieldRule]] = {
        var fields = v30
        fields[.document]?["webhooks"] = .map(.orReference(.pathItem))
        fields[.document]?["jsonSchemaDialect"] = .string
        fields[.info]?["summary"] = .string
        fields[.license]?["identifier"] = .string
        fields[.components]?["pathItems"] = .components(.orReference(.pathItem))
        fields[.header]?["allowEmptyValue"] = nil
        fields[.header]?["allowReserved"] = nil
        fields[.securityScheme]?["type"] = .among(["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"])
        return fields
    }()

    /// The fields a security scheme of `type` has beside `type` and `description`.
    static func schemeFields(_ type: String) -> Set<String> {
        switch type {
        case "apiKey": ["name", "in"]
        case "http": ["scheme", "bearerFormat"]
        case "oauth2": ["flows"]
        case "openIdConnect": ["openIdConnectUrl"]
        default: []
        }
    }

    /// The styles a parameter in `location` may have.
    static func styles(_ location: String) -> [String] {
        switch location {
        case "path": ["matrix", "label", "simple"]
        case "query": ["form", "spaceDelimited", "pipeDelimited", "deepObject"]
        case "header": ["simple"]
        case "cookie": ["form"]
        default: []
        }
    }

    /// The keywords of a 3.0 Schema Object, with their rules (`$ref` is read before these).
    static let schema30: [String: SchemaKeyword] = [
        "title": .string, "multipleOf": .positiveNumber, "maximum": .number, "exclusiveMaximum": .boolean, "minimum": .number,
        "exclusiveMinimum": .boolean, "maxLength": .count, "minLength": .count, "pattern": .string, "maxItems": .count,
        "minItems": .count, "uniqueItems": .boolean, "maxProperties": .count, "minProperties": .count, "required": .requiredNames,
        "enum": .nonEmptyList, "type": .type, "not": .schema, "allOf": .schemas, "oneOf": .schemas, "anyOf": .schemas,
        "items": .schema, "properties": .schemaMap, "additionalProperties": .schemaOrBoolean, "description": .string,
        "format": .string, "default": .any, "nullable": .boolean, "discriminator": .object(.discriminator), "readOnly": .boolean,
        "writeOnly": .boolean, "example": .any, "externalDocs": .object(.externalDocs), "deprecated": .boolean,
        "xml": .object(.xml),
    ]

    /// The keywords of a 3.1 Schema Object (JSON Schema 2020-12 and the OpenAPI vocabulary) whose values are
    /// checked; other keywords are allowed, as JSON Schema allows them.
    static let schema31: [String: SchemaKeyword] = [
        "title": .string, "multipleOf": .positiveNumber, "maximum": .number, "exclusiveMaximum": .number, "minimum": .number,
        "exclusiveMinimum": .number, "maxLength": .count, "minLength": .count, "pattern": .string, "maxItems": .count,
        "minItems": .count, "uniqueItems": .boolean, "maxProperties": .count, "minProperties": .count, "required": .requiredNames,
        "enum": .list, "type": .type, "not": .schema, "allOf": .schemas, "oneOf": .schemas, "anyOf": .schemas, "items": .schema,
        "properties": .schemaMap, "additionalProperties": .schema, "description": .string, "format": .string, "default": .any,
        "discriminator": .object(.discriminator), "readOnly": .boolean, "writeOnly": .boolean, "examples": .list,
        "example": .any, "externalDocs": .object(.externalDocs), "deprecated": .boolean, "xml": .object(.xml),
        "$ref": .reference, "$id": .string, "$schema": .string, "$anchor": .string, "$dynamicRef": .string,
        "$dynamicAnchor": .string, "$comment": .string, "$defs": .schemaMap, "prefixItems": .schemas, "contains": .schema,
        "minContains": .count, "maxContains": .count, "patternProperties": .schemaMap, "propertyNames": .schema,
        "dependentSchemas": .schemaMap, "dependentRequired": .requiredMap, "if": .schema, "then": .schema, "else": .schema,
        "unevaluatedItems": .schema, "unevaluatedProperties": .schema, "contentEncoding": .string, "contentMediaType": .string,
        "contentSchema": .schema, "nullable": .nullable,
    ]
}

/// What a schema keyword's value must be.
enum SchemaKeyword: Sendable {
    case string, boolean, number, positiveNumber, count, any, list, nonEmptyList, type, schema, schemas, schemaMap
    case schemaOrBoolean, requiredNames, requiredMap, reference, nullable
    case object(OpenAPIObject)
}
