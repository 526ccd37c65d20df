internal import GraphQL

/// Checks GraphQL SDL with GraphQLSwift: it must parse and build into a schema.
enum GraphQLRules {
    static func check(_ text: String, file: String, maxDepth: Int) -> [Finding] {
        if let problem = BracketGuard.problem(in: text, limit: maxDepth) {
            let (line, column, message, hint) =
                switch problem {
                case .tooDeep(let line, let column):
                    (line, column, "GraphQL nests more than \(maxDepth) levels of brackets", "Flatten the SDL; real schemas need only a few levels.")
                case .unfinishedEscape(let line, let column):
                    (
                        line, column, "GraphQL string ends inside a \\u escape (four hexadecimal digits must follow \\u)",
                        "Complete the escape, e.g. \\u00E9, and close the string."
                    )
                }
            return [Finding(.contractsGraphQLInvalid, file: file, line: line, column: column, message: message, hint: hint)]
        }
        do {
            _ = try buildSchema(source: text)
            return []
        } catch let error as GraphQLError {
            let location = error.locations.first
            let message = error.message.split(separator: "\n").first.map(String.init) ?? error.message
            return [
                Finding(
                    .contractsGraphQLInvalid, file: file, line: location?.line ?? 0, column: location?.column,
                    message: "GraphQL SDL does not build: \(message)")
            ]
        } catch {
            return [Finding(.contractsGraphQLInvalid, file: file, message: "GraphQL SDL does not build: \(error)")]
        }
    }
}
