/// Handoff's own OpenAPI rules, read from the document's nodes so every finding has a line.
///
/// The same code serves 3.0 and 3.1: these parts of the structure did not change between them.
struct OpenAPIRules {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let tree: YAMLTree
    let file: String

    /// Findings plus the operations the document defines.
    func run() -> (findings: [Finding], operations: [APIOperation]) {
        var findings: [Finding] = []
        var operations: [APIOperation] = []
        var seenOperationIDs: [String: Int] = [:]
        let root = tree.root
        let schemeMap = tree.child(tree.child(root, "components"), "securitySchemes")
        let schemes = Set(schemeMap.map { map in (0..<tree.pairCount(map)).compactMap { tree.text(tree.key(map, $0)) } } ?? [])
        let documentSecurity = tree.child(root, "security")
        guard let paths = tree.child(root, "paths"), tree.isMapping(paths) else { return ([], []) }
        for pathIndex in 0..<tree.pairCount(paths) {
            guard let path = tree.text(tree.key(paths, pathIndex)), let item = resolved(tree.value(paths, pathIndex)), tree.isMapping(item)
            else { continue }
            let pathParameters = parameters(tree.child(item, "parameters"))
            for methodIndex in 0..<tree.pairCount(item) {
                let methodKey = tree.key(item, methodIndex), operation = tree.value(item, methodIndex)
                guard let method = tree.text(methodKey), Self.methods.contains(method) else { continue }
                let line = tree.line(methodKey)
                let operationName = "\(method.uppercased()) \(path)"
                let operationIDNode = tree.child(operation, "operationId")
                let operationID = operationIDNode.flatMap { tree.text($0) }
                operations.append(APIOperation(method: method.uppercased(), path: path, operationID: operationID))
                if let operationID {
                    if let first = seenOperationIDs[operationID] {
                        findings.append(
                            Finding(
                                .contractsOpenAPIInvalid, file: file, line: operationIDNode.map(tree.line) ?? line,
                                message: "operationId '\(operationID)' of \(operationName) is already used on line \(first)",
                                hint: "Give every operation its own operationId."))
                    } else {
                        seenOperationIDs[operationID] = operationIDNode.map(tree.line) ?? line
                    }
                } else {
                    findings.append(
                        Finding(
                            .contractsOperationIDMissing, file: file, line: line,
                            message: "\(operationName) has no operationId"))
                }
                findings += pathParameterFindings(
                    path: path, line: line, declared: pathParameters.merging(parameters(tree.child(operation, "parameters"))) { $1 },
                    operationName: operationName)
                findings += responseFindings(tree.child(operation, "responses"), line: line, operationName: operationName)
                let ownSecurity = tree.child(operation, "security")
                findings += securityFindings(
                    ownSecurity ?? documentSecurity, schemes: schemes, line: ownSecurity.map(tree.line) ?? line, operationName: operationName)
            }
        }
        return (findings, operations)
    }

    /// Follows a local `$ref` (`#/components/...`) once; nil when it does not resolve.
    func resolved(_ node: Int?) -> Int? {
        guard let node else { return nil }
        guard let reference = tree.child(node, "$ref").flatMap({ tree.text($0) }) else { return node }
        return JSONPointer.target(of: reference, in: tree)
    }

    /// Path parameters by name, with the line that declares them.
    private func parameters(_ list: Int?) -> [String: Int] {
        var result: [String: Int] = [:]
        for entry in tree.items(list) {
            guard let parameter = resolved(entry), tree.child(parameter, "in").flatMap({ tree.text($0) }) == "path",
                let name = tree.child(parameter, "name").flatMap({ tree.text($0) })
            else { continue }
            result[name] = tree.line(entry)
        }
        return result
    }

    private func pathParameterFindings(path: String, line: Int, declared: [String: Int], operationName: String) -> [Finding] {
        let inTemplate = path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
        var findings: [Finding] = []
        for name in inTemplate where declared[name] == nil {
            findings.append(
                Finding(
                    .contractsOpenAPIInvalid, file: file, line: line,
                    message: "\(operationName) uses path parameter '{\(name)}' but does not declare it",
                    hint: "Declare it under parameters with in: path and required: true."))
        }
        for (name, declaredLine) in declared.sorted(by: { $0.key < $1.key }) where !inTemplate.contains(name) {
            findings.append(
                Finding(
                    .contractsOpenAPIInvalid, file: file, line: declaredLine,
                    message: "\(operationName) declares path parameter '\(name)', which its path does not contain",
                    hint: "Remove the parameter or add {\(name)} to the path."))
        }
        return findings
    }

    private func responseFindings(_ responses: Int?, line: Int, operationName: String) -> [Finding] {
        let codes = responses.map { map in (0..<tree.pairCount(map)).map { (tree.keyText(map, $0), tree.value(map, $0)) } } ?? []
        let success = codes.contains { code, response in
            guard code.hasPrefix("2") else { return false }
            if code == "204" { return true }
            guard let content = tree.child(resolved(response), "content") else { return false }
            return (0..<tree.pairCount(content)).contains { tree.child(tree.value(content, $0), "schema") != nil }
        }
        let clientError = codes.contains { code, _ in code.hasPrefix("4") }
        var findings: [Finding] = []
        let at = responses.map(tree.line) ?? line
        if !success {
            findings.append(
                Finding(
                    .contractsSuccessResponseMissing, file: file, line: at,
                    message: "\(operationName) has no 2xx response with a schema (204 excepted)"))
        }
        if !clientError {
            findings.append(
                Finding(
                    .contractsErrorResponseMissing, file: file, line: at,
                    message: "\(operationName) documents no 4xx response"))
        }
        return findings
    }

    private func securityFindings(_ security: Int?, schemes: Set<String>, line: Int, operationName: String) -> [Finding] {
        guard let security, tree.isSequence(security) else {
            return [
                Finding(
                    .contractsSecurityUndefined, file: file, line: line,
                    message: "\(operationName) declares no security requirement (neither the document nor the operation)",
                    hint: "Add security (or `security: []` to state that it is public) and define its scheme under components.securitySchemes.")
            ]
        }
        var findings: [Finding] = []
        for requirement in tree.items(security) where tree.isMapping(requirement) {
            for index in 0..<tree.pairCount(requirement) {
                let name = tree.key(requirement, index)
                guard let scheme = tree.text(name), !schemes.contains(scheme) else { continue }
                findings.append(
                    Finding(
                        .contractsSecurityUndefined, file: file, line: tree.line(name),
                        message: "\(operationName) requires security scheme '\(scheme)', which components.securitySchemes does not define"))
            }
        }
        return findings
    }
}
