import OpenAPIKit
import OpenAPIKit30
import Yams

@testable import HandoffCore

/// OpenAPIKit's verdict on a document: the checker Handoff used before its node-level validator, kept in
/// the tests as an oracle to compare with (it is no longer in the product).
enum OpenAPIKitOracle {
    /// OpenAPIKit30's default validations but unique operation ids (OpenAPIKit30 cannot remove a default, so
    /// the rest are listed as its `init()` lists them).
    static func validator30() -> OpenAPIKit30.Validator {
        OpenAPIKit30.Validator.blank
            .validating(
                OpenAPIKit30.Validation<OpenAPIKit30.OpenAPI.Response.Map>(
                    description: "Operations contain at least one response", check: \.count > 0)
            )
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

    /// The first problem OpenAPIKit reports for the document `text`, or nil when it decodes and validates.
    /// Unique operation ids are left out: Handoff reports them with lines in ``OpenAPIRules``, as it did.
    static func problem(_ text: String) -> String? {
        let node: Node
        do {
            guard let parsed = try Yams.compose(yaml: text) else { return "empty" }
            node = parsed
        } catch {
            return "YAML: \(error)"
        }
        let version = node.child("openapi")?.string ?? ""
        do {
            if version.hasPrefix("3.0") {
                let document = try NodeDecoder.decodeDocument(OpenAPIKit30.OpenAPI.Document.self, from: node)
                _ = try document.validate(using: validator30(), strict: false)
            } else {
                let document = try NodeDecoder.decodeDocument(OpenAPIKit.OpenAPI.Document.self, from: node)
                _ = try document.validate(using: OpenAPIKit.Validator().withoutValidating(\.operationIdsAreUnique), strict: false)
            }
            return nil
        } catch let collection as OpenAPIKit.ValidationErrorCollection {
            return collection.values.map(\.description).joined(separator: "; ")
        } catch let collection as OpenAPIKit30.ValidationErrorCollection {
            return collection.values.map(\.description).joined(separator: "; ")
        } catch {
            return version.hasPrefix("3.0")
                ? OpenAPIKit30.OpenAPI.Error(from: error).localizedDescription : OpenAPIKit.OpenAPI.Error(from: error).localizedDescription
        }
    }
}
