import Foundation
internal import Yams

/// Handoff's own OpenAPI rules, read from the document's nodes so every finding has a line.
///
/// The same code serves 3.0 and 3.1: these parts of the structure did not change between them.
struct OpenAPIRules {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let root: Node
    let file: String

    /// Findings plus the operations the document defines.
    func run() -> (findings: [Finding], operations: [APIOperation]) {
        var findings: [Finding] = []
        var operations: [APIOperation] = []
        var seenOperationIDs: [String: Int] = [:]
        let schemes = Set(root.child("components")?.child("securitySchemes")?.mapping?.keys.compactMap(\.string) ?? [])
        let documentSecurity = root.child("security")
        for (pathKey, pathItem) in root.child("paths")?.mapping ?? Node.Mapping([]) {
            guard let path = pathKey.string, let item = resolved(pathItem) else { continue }
            let pathParameters = parameters(item.child("parameters"))
            for (methodKey, operation) in item.mapping ?? Node.Mapping([]) {
                guard let method = methodKey.string, Self.methods.contains(method) else { continue }
                let line = methodKey.mark?.line ?? 0
                let operationName = "\(method.uppercased()) \(path)"
                let operationID = operation.child("operationId")?.string
                operations.append(APIOperation(method: method.uppercased(), path: path, operationID: operationID))
                if let operationID {
                    if let first = seenOperationIDs[operationID] {
                        findings.append(
                            Finding(
                                .contractsOpenAPIInvalid, file: file, line: operation.child("operationId")?.mark?.line ?? line,
                                message: "operationId '\(operationID)' of \(operationName) is already used on line \(first)",
                                hint: "Give every operation its own operationId."))
                    } else {
                        seenOperationIDs[operationID] = operation.child("operationId")?.mark?.line ?? line
                    }
                } else {
                    findings.append(
                        Finding(
                            .contractsOperationIDMissing, file: file, line: line,
                            message: "\(operationName) has no operationId"))
                }
                findings += pathParameterFindings(
                    path: path, line: line, declared: pathParameters.merging(parameters(operation.child("parameters"))) { $1 },
                    operationName: operationName)
                findings += responseFindings(operation.child("responses"), line: line, operationName: operationName)
                let security = operation.child("security") ?? documentSecurity
                findings += securityFindings(
                    security, schemes: schemes, line: operation.child("security")?.mark?.line ?? line, operationName: operationName)
            }
        }
        return (findings, operations)
    }

    /// Follows a local `$ref` (`#/components/...`) once; nil when it does not resolve.
    func resolved(_ node: Node?) -> Node? {
        guard let node else { return nil }
        guard let reference = node.child("$ref")?.string else { return node }
        return JSONPointer.target(of: reference, in: root)
    }

    /// Path parameters by name, with the line that declares them.
    private func parameters(_ list: Node?) -> [String: Int] {
        var result: [String: Int] = [:]
        for entry in list?.sequence ?? Node.Sequence([]) {
            guard let parameter = resolved(entry), parameter.child("in")?.string == "path", let name = parameter.child("name")?.string else {
                continue
            }
            result[name] = entry.mark?.line ?? 0
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

    private func responseFindings(_ responses: Node?, line: Int, operationName: String) -> [Finding] {
        let codes = (responses?.mapping ?? Node.Mapping([])).map { key, value in (key.string ?? "", value) }
        let success = codes.contains { code, response in
            guard code.hasPrefix("2") else { return false }
            if code == "204" { return true }
            let content = resolved(response)?.child("content")?.mapping ?? Node.Mapping([])
            return content.contains { _, media in media.child("schema") != nil }
        }
        let clientError = codes.contains { code, _ in code.hasPrefix("4") }
        var findings: [Finding] = []
        let at = responses?.mark?.line ?? line
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

    private func securityFindings(_ security: Node?, schemes: Set<String>, line: Int, operationName: String) -> [Finding] {
        guard let requirements = security?.sequence else {
            return [
                Finding(
                    .contractsSecurityUndefined, file: file, line: line,
                    message: "\(operationName) declares no security requirement (neither the document nor the operation)",
                    hint: "Add security (or `security: []` to state that it is public) and define its scheme under components.securitySchemes.")
            ]
        }
        var findings: [Finding] = []
        for requirement in requirements {
            for (name, _) in requirement.mapping ?? Node.Mapping([]) {
                guard let scheme = name.string, !schemes.contains(scheme) else { continue }
                findings.append(
                    Finding(
                        .contractsSecurityUndefined, file: file, line: name.mark?.line ?? line,
                        message: "\(operationName) requires security scheme '\(scheme)', which components.securitySchemes does not define"))
            }
        }
        return findings
    }
}
