/// A structural problem OpenAPIKit found: a message and where in the document (a coding path).
struct OpenAPIStructuralIssue {
    var message: String
    var path: [String]
}

/// The OpenAPI versions Handoff reads, and the OpenAPIKit module that reads each.
enum OpenAPIVersion {
    /// 3.0.x, read by `OpenAPIKit30`.
    case v30
    /// 3.1.x and 3.2.x, read by `OpenAPIKit`.
    case v31

    init?(_ text: String) {
        if text.hasPrefix("3.0.") || text == "3.0" {
            self = .v30
        } else if text.hasPrefix("3.1.") || text.hasPrefix("3.2.") || text == "3.1" || text == "3.2" {
            self = .v31
        } else {
            return nil
        }
    }
}
