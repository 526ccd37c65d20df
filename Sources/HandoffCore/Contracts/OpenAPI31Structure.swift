internal import OpenAPIKit
internal import Yams

/// Decodes and validates an OpenAPI 3.1/3.2 document with OpenAPIKit.
enum OpenAPI31Structure {
    static func issues(in node: Node) -> [OpenAPIStructuralIssue] {
        let document: OpenAPI.Document
        do {
            document = try NodeDecoder.decodeDocument(OpenAPI.Document.self, from: node)
        } catch {
            let wrapped = OpenAPI.Error(from: error)
            return [OpenAPIStructuralIssue(message: wrapped.localizedDescription, path: wrapped.codingPath.pathComponents)]
        }
        do {
            // Unique operation ids are reported with lines by OpenAPIRules.
            _ = try document.validate(using: Validator().withoutValidating(\.operationIdsAreUnique), strict: false)
            return []
        } catch let collection as ValidationErrorCollection {
            return collection.values.map { OpenAPIStructuralIssue(message: $0.description, path: $0.codingPath.pathComponents) }
        } catch {
            return [OpenAPIStructuralIssue(message: "\(error)", path: [])]
        }
    }
}
