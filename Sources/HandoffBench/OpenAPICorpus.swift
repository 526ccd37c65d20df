/// Synthetic OpenAPI documents, realistic in size (about 40 operations), some deliberately broken.
struct OpenAPICorpus {
    /// One document and what it is meant to be.
    struct Document {
        var name: String
        var text: String
        /// The defect injected, or nil for a valid document.
        var defect: Defect?
    }

    /// The defects the corpus injects, one per broken document, in turn.
    enum Defect: CaseIterable {
        case missingInfo, brokenReference, undeclaredPathParameter, duplicateOperationID

        /// True when the peers may accept the defect: they do not follow a `$ref` in a request body, so a schema
        /// reference to nothing passes (DifferentialTests lists why Handoff is right to refuse it).
        var peersAccept: Bool { self == .brokenReference }
    }

    static let defects = Defect.allCases

    /// `count` documents from `seed`; every fifth one carries one of the defects, in turn.
    static func generate(count: Int, seed: UInt64) -> [Document] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let defect = index % 5 == 4 ? defects[(index / 5) % defects.count] : nil
            return Document(name: "generated-\(index).yaml", text: document(index: index, defect: defect, random: &random), defect: defect)
        }
    }

    /// One valid document of about 40 operations, distinct for each `index`.
    static func validDocument(index: Int, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed &+ UInt64(index))
        return document(index: index, defect: nil, random: &random)
    }

    private static func document(index: Int, defect: Defect?, random: inout SplitMix64) -> String {
        let version = index % 2 == 0 ? "3.0.3" : "3.1.0"
        var text = "openapi: \(version)\n"
        if defect != .missingInfo {
            text += "info:\n  title: Service \(index)\n  version: 1.\(index).0\n"
        }
        text += "security:\n  - bearer: []\npaths:\n"
        let resources = 10
        var operationNumber = 0
        for resource in 0..<resources {
            let name = "res\(resource)"
            text += "  /\(name):\n"
            for method in ["get", "post"] {
                operationNumber += 1
                let broken = defect == .brokenReference && resource == 5 && method == "post"
                text += operation(
                    method: method, id: "op\(operationNumber)", resource: name, pathParameter: nil,
                    schema: broken ? "Missing" : "Res\(resource)")
            }
            let parameter = defect == .undeclaredPathParameter && resource == 3 ? nil : "id"
            text += "  /\(name)/{id}:\n"
            for method in ["get", "put"] {
                operationNumber += 1
                var id = "op\(operationNumber)"
                if defect == .duplicateOperationID && resource == 7 && method == "put" { id = "op1" }
                text += operation(method: method, id: id, resource: name, pathParameter: parameter, schema: "Res\(resource)")
            }
        }
        text += "components:\n  securitySchemes:\n    bearer: { type: http, scheme: bearer }\n  schemas:\n"
        text +=
            "    Error:\n      type: object\n      required: [code]\n      properties:\n        code: { type: string }\n        message: { type: string }\n"
        for resource in 0..<resources {
            let fields = 3 + Int(random.next() % 6)
            text += "    Res\(resource):\n      type: object\n      required: [id]\n      properties:\n        id: { type: string }\n"
            for field in 0..<fields {
                let type = ["string", "integer", "boolean", "number"][Int(random.next() % 4)]
                text += "        field\(field): { type: \(type) }\n"
            }
        }
        return text
    }

    private static func operation(method: String, id: String, resource: String, pathParameter: String?, schema target: String) -> String {
        var text = "    \(method):\n      operationId: \(id)\n      summary: \(method) \(resource)\n"
        if let pathParameter {
            text += "      parameters:\n        - { name: \(pathParameter), in: path, required: true, schema: { type: string } }\n"
        }
        if method == "post" || method == "put" {
            text += "      requestBody:\n        required: true\n        content:\n          application/json:\n"
            text += "            schema: { $ref: '#/components/schemas/\(target)' }\n"
        }
        text += "      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n"
        text += "              schema: { $ref: '#/components/schemas/\(target)' }\n"
        text += "        '404':\n          description: Not found\n          content:\n            application/json:\n"
        text += "              schema: { $ref: '#/components/schemas/Error' }\n"
        return text
    }
}
