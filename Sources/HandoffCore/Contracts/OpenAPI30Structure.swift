internal import OpenAPIKit30
internal import Yams

/// Decodes and validates an OpenAPI 3.0 document with OpenAPIKit30.
enum OpenAPI30Structure {
    /// OpenAPIKit30's default validations but unique operation ids, which ``OpenAPIRules`` reports with
    /// lines (OpenAPIKit30 cannot remove a default, so the rest are listed as its `init()` lists them).
    static func validator() -> Validator {
        Validator.blank
            // Built here rather than taken from `Validation.operationsContainResponses`, whose symbol does not
            // link from this module on Linux (same description and check as OpenAPIKit30's).
            .validating(Validation<OpenAPI.Response.Map>(description: "Operations contain at least one response", check: \.count > 0))
            .validating(.documentTagNamesAreUnique)
            .validating(.pathItemParametersAreUnique)
            .validating(.operationParametersAreUnique)
            .validating(.schemaReferencesAreValid)
            .validating(.responseReferencesAreValid)
            .validating(.parameterReferencesAreValid)
            .validating(.exampleReferencesAreValid)
            .validating(.requestReferencesAreValid)
            .validating(.headerReferencesAreValid)
            .validating(.linkReferencesAreValid)
            .validating(.callbacksReferencesAreValid)
    }

    static func issues(in node: Node) -> [OpenAPIStructuralIssue] {
        let document: OpenAPI.Document
        do {
            document = try NodeDecoder.decodeDocument(OpenAPI.Document.self, from: node)
        } catch {
            let wrapped = OpenAPI.Error(from: error)
            return [OpenAPIStructuralIssue(message: wrapped.localizedDescription, path: wrapped.codingPath.pathComponents)]
        }
        do {
            _ = try document.validate(using: validator(), strict: false)
            return []
        } catch let collection as ValidationErrorCollection {
            return collection.values.map { OpenAPIStructuralIssue(message: $0.description, path: $0.codingPath.pathComponents) }
        } catch {
            return [OpenAPIStructuralIssue(message: "\(error)", path: [])]
        }
    }
}
