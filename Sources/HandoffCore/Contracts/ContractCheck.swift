import GitPaths
internal import Yams

/// Checks every file under a packet's `contracts/` folder, by format.
enum ContractCheck {
    /// What the contracts of one packet yield.
    struct Result {
        var findings: [Finding] = []
        var operations: [APIOperation] = []
        /// True when at least one file is a recognised contract.
        var hasContract = false
        /// What reading and parsing the files cost (the same whether the results came from the cache or not).
        var cost = CheckCost()
        /// Set when the budget ran out before every file was checked: the files left were skipped.
        var exhausted: CheckBudget.Exhaustion?
    }

    static let yamlExtensions: Set<String> = ["yaml", "yml", "json"]
    static let graphQLExtensions: Set<String> = ["graphql", "graphqls", "gql"]

    /// Checks the contracts of `folder`, spending `budget` file by file (a packet may hold a thousand).
    static func check(
        folder: String, in view: any TreeView, limits: CheckLimits, cache: CheckCache? = nil, budget: CheckBudget? = nil
    ) throws -> Result {
        var result = Result()
        guard let walked = try view.walk("\(folder)/contracts", limit: limits.maxEntriesPerPacket) else { return result }
        for entry in walked.entries where entry.kind == .file || entry.kind == .executable {
            if let exhaustion = budget?.exhaustion {
                result.exhausted = exhaustion
                break
            }
            let key = try cache.flatMap { _ in try view.contentID(at: entry.path) }.map { cacheKey(contentID: $0, name: entry.name, limits: limits) }
            if let key, let cached = cache?.entry(for: key) {
                result.findings += cached.findings.map { finding in
                    var copy = finding
                    copy.file = entry.path
                    return copy
                }
                result.operations += cached.operations
                result.hasContract = result.hasContract || cached.isContract
                // A cached file costs what checking it cost: the budget must not depend on what a cache holds.
                result.cost = result.cost + cached.cost
                budget?.charge(cached.cost)
                continue
            }
            let checked = try checkFile(entry, in: view, limits: limits)
            if let key {
                cache?.store(
                    CheckCache.Entry(
                        findings: checked.findings, operations: checked.operations, isContract: checked.hasContract, cost: checked.cost),
                    for: key)
            }
            result.cost = result.cost + checked.cost
            budget?.charge(checked.cost)
            result.findings += checked.findings
            result.operations += checked.operations
            result.hasContract = result.hasContract || checked.hasContract
        }
        return result
    }

    /// The cache key of a contract file: its content, its name and the limits. The name, not only its
    /// extension (which picks the format): findings say it (`a.yaml is empty`) and a rule follows from it (a
    /// `.schema.` file that does not parse is a broken schema), so the same bytes under another name are
    /// another check. Only the folder is put right on a hit (``Finding/file``). The `/` before the name, which
    /// no name holds, keeps keys saved by earlier versions (by extension alone) from ever matching.
    static func cacheKey(contentID: String, name: String, limits: CheckLimits) -> String {
        "\(contentID):/\(BytePath(name).exactKey):\(limits.maxFileBytes):\(limits.maxYAMLDepth):\(limits.maxYAMLNodes)"
    }

    /// Whether a file under `contracts/` is one the checks parse (the costly kind worth checking ahead).
    static func isParsed(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        guard parts.count > 1, let last = parts.last?.lowercased() else { return false }
        return yamlExtensions.contains(last) || graphQLExtensions.contains(last)
    }

    /// Checks one contract file and stores the result under its key, as ``check(folder:in:limits:cache:budget:)``
    /// would on a miss; the view need hold only that file.
    static func memoise(_ entry: TreeViewEntry, contentID: String, in view: any TreeView, limits: CheckLimits, cache: CheckCache) throws {
        let key = cacheKey(contentID: contentID, name: entry.name, limits: limits)
        guard !cache.containsEntry(for: key) else { return }
        let checked = try checkFile(entry, in: view, limits: limits)
        cache.store(
            CheckCache.Entry(findings: checked.findings, operations: checked.operations, isContract: checked.hasContract, cost: checked.cost),
            for: key)
    }

    /// One contract file, by format: a pure function of its bytes and the limits.
    private static func checkFile(_ entry: TreeViewEntry, in view: any TreeView, limits: CheckLimits) throws -> Result {
        var result = Result()
        let fileExtension = entry.name.split(separator: ".").count > 1 ? String(entry.name.split(separator: ".").last!).lowercased() : ""
        guard yamlExtensions.contains(fileExtension) || graphQLExtensions.contains(fileExtension) else {
            result.findings.append(
                Finding(
                    .contractsUnknownFormat, file: entry.path,
                    message: "\(entry.name) is not a recognised contract format (OpenAPI, JSON Schema, GraphQL SDL)"))
            return result
        }
        let text: String
        switch try TextFile.read(entry.path, from: view, limits: limits, cost: &result.cost) {
        case .text(let content): text = content
        case .unusable(let finding):
            result.findings.append(finding)
            result.hasContract = true
            return result
        case .missing: return result
        }
        result.hasContract = true
        if graphQLExtensions.contains(fileExtension) {
            result.findings += GraphQLRules.check(text, file: entry.path, maxDepth: limits.maxYAMLDepth)
        } else {
            checkDocument(text, file: entry.path, limits: limits, into: &result)
        }
        return result
    }

    private static func checkDocument(_ text: String, file: String, limits: CheckLimits, into result: inout Result) {
        // Read once into a YAMLTree, which the OpenAPI checks walk; only a JSON Schema is read again as Yams nodes.
        let tree: YAMLTree
        switch YAMLInput.tree(text, maxDepth: limits.maxYAMLDepth, maxNodes: limits.maxYAMLNodes, cost: &result.cost) {
        case .failure(let refusal):
            // A file named as a schema (refund.schema.json) that does not parse is a broken schema.
            let rule: Rule = baseName(file).lowercased().contains(".schema.") ? .contractsSchemaInvalid : .contractsParseError
            result.findings.append(
                Finding(
                    rule, file: file, line: refusal.line, column: refusal.column,
                    message: refusal.message, hint: refusal.hint))
            return
        case .success(nil):
            result.findings.append(Finding(.contractsParseError, file: file, message: "\(baseName(file)) is empty"))
            return
        case .success(let parsed?):
            tree = parsed
        }
        let root = tree.root
        if let version = tree.child(root, "openapi") {
            checkOpenAPI(tree, version: version, file: file, into: &result)
        } else if let swagger = tree.child(root, "swagger") {
            result.findings.append(
                Finding(
                    .contractsOpenAPIInvalid, file: file, line: tree.line(swagger),
                    message: "Swagger 2.0 is not supported",
                    hint: "Convert the document to OpenAPI 3.0 or 3.1."))
        } else if isJSONSchema(tree), case .success(let node?) = YAMLInput.parse(text, maxDepth: limits.maxYAMLDepth, maxNodes: limits.maxYAMLNodes) {
            var rules = JSONSchemaRules(file: file)
            result.findings += rules.check(node)
        } else {
            result.findings.append(
                Finding(
                    .contractsUnknownFormat, file: file, line: root.map(tree.line) ?? 0,
                    message: "\(baseName(file)) is neither an OpenAPI document (no 'openapi' key) nor a JSON Schema"))
        }
    }

    private static func checkOpenAPI(_ tree: YAMLTree, version: Int, file: String, into result: inout Result) {
        guard let text = tree.text(version), let parsed = OpenAPIVersion(text) else {
            result.findings.append(
                Finding(
                    .contractsOpenAPIInvalid, file: file, line: tree.line(version),
                    message: "openapi version '\(tree.text(version) ?? "?")' is not 3.0.x or 3.1.x",
                    hint: "Set openapi: 3.1.0 (or 3.0.3) and follow that version of the specification."))
            return
        }
        for issue in OpenAPIValidator.issues(in: tree, version: parsed) {
            result.findings.append(
                Finding(
                    .contractsOpenAPIInvalid, file: file, line: issue.line, column: issue.column,
                    message: issue.problem.message, hint: issue.problem.hint))
        }
        let rules = OpenAPIRules(tree: tree, file: file).run()
        result.findings += rules.findings
        result.operations += rules.operations
    }

    /// A mapping that declares `$schema`, or uses the keywords only a schema has at its top.
    private static func isJSONSchema(_ tree: YAMLTree) -> Bool {
        guard let root = tree.root, tree.isMapping(root) else { return false }
        let keys = Set((0..<tree.pairCount(root)).compactMap { tree.text(tree.key(root, $0)) })
        return keys.contains("$schema") || keys.contains("type") || keys.contains("properties") || keys.contains("$defs")
            || keys.contains("definitions") || keys.contains("allOf") || keys.contains("anyOf") || keys.contains("oneOf")
    }
}
