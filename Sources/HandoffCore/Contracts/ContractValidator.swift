/// Checks one contract document on its own, outside any packet: for benchmarks, editors and tools.
public enum ContractValidator {
    /// The findings and operations of the contract `text`, named `fileName` (its extension picks the format).
    public static func check(_ text: String, fileName: String, limits: CheckLimits = .default) throws
        -> (findings: [Finding], operations: [APIOperation])
    {
        let view = SingleFileView(path: "contracts/\(fileName)", bytes: Array(text.utf8))
        let result = try ContractCheck.check(folder: "", in: view, limits: limits)
        return (result.findings, result.operations)
    }

    /// True when `findings` hold no structural error (the document parses and is valid OpenAPI/Schema/SDL).
    public static func isStructurallyValid(_ findings: [Finding]) -> Bool {
        !findings.contains { structural.contains($0.rule) }
    }

    /// The rules whose findings mean a contract does not parse or is not valid in its format.
    static let structural: Set<String> = Set(
        [
            Rule.contractsParseError, .contractsOpenAPIInvalid, .contractsSchemaInvalid,
            .contractsGraphQLInvalid, .fileTooLarge, .fileBinary, .fileNotUTF8,
        ].map(\.id))
}

/// A tree holding exactly one file, at `contracts/NAME` under an empty root.
private struct SingleFileView: TreeView {
    let path: String
    let bytes: [UInt8]

    func entry(at path: String) throws -> TreeViewEntry? {
        if path == self.path { return TreeViewEntry(path: path, kind: .file) }
        if path == "contracts" || path == "/contracts" { return TreeViewEntry(path: "contracts", kind: .folder) }
        return nil
    }

    func entries(inFolder folder: String) throws -> [TreeViewEntry]? {
        switch folder {
        case "", "/": [TreeViewEntry(path: "contracts", kind: .folder)]
        case "contracts", "/contracts": [TreeViewEntry(path: self.path, kind: .file)]
        default: nil
        }
    }

    func read(_ path: String, limit: Int) throws -> FileRead {
        guard path == self.path else { return .missing }
        return bytes.count > limit ? .tooLarge(size: bytes.count) : .bytes(bytes)
    }
}
