internal import Configuration
import Foundation
internal import Yams

/// The shape of `handoffd.yaml`, checked before any value is read: known keys only, the right kinds of
/// node, each key's line kept for messages. What passes becomes flat swift-configuration values.
///
/// swift-configuration's own YAML provider ignores unknown keys and cannot hold a list of mappings
/// (the `repositories` list), hence this pass; reading typed values and environment overrides is its job.
struct ConfigurationFile {
    /// Keys allowed at the top level.
    static let globalKeys: Set<String> = [
        "identity", "state_directory", "repositories", "poll_interval", "network", "notify_socket", "log_level",
        "http",
    ]
    /// Keys allowed under each section (a mapping of scalars) of the top level.
    static let sectionKeys: [String: Set<String>] = [
        "identity": ["name", "email", "signing_key", "trusted_keys"],
        "network": ["connect_timeout", "inactivity_timeout"],
        "http": ["listen", "request_timeout"],
    ]
    /// Keys allowed in each repository.
    static let repositoryKeys: Set<String> = [
        "name", "path", "url", "branch", "status_branch", "operators",
        "ssh_key", "ssh_user", "known_hosts", "username", "password_file", "participant_identity", "allowed_signers",
    ]
    /// Keys whose value is a list of strings; every other value is a scalar.
    static let listKeys: Set<String> = ["operators", "trusted_keys"]

    /// Values by key: `identity.email`, `repositories.<name>.path`, …
    var values: [AbsoluteConfigKey: ConfigValue] = [:]
    /// The line (1-based) where each key's value is written, by dotted key path.
    var lines: [String: Int] = [:]
    /// The repositories' names, in file order, and each one's position in the list.
    var repositoryNames: [String] = []

    /// Parses `text`; `file` names it in errors.
    init(_ text: String, file: String) throws(DaemonConfiguration.Problem) {
        func fail(_ key: String, _ line: Int?, _ reason: DaemonConfiguration.Reason) -> DaemonConfiguration.Problem {
            DaemonConfiguration.Problem(file: file, line: line, key: key, reason: reason)
        }
        // The configuration comes from the operator, yet bound it anyway: nobody needs a megabyte of it.
        guard text.utf8.count <= 1 << 20 else { throw fail("", nil, .tooLarge) }
        let root: Node
        do {
            guard let parsed = try Yams.compose(yaml: text) else { throw fail("", nil, .empty) }
            root = parsed
        } catch let problem as DaemonConfiguration.Problem {
            throw problem
        } catch {
            throw fail("", nil, .notYAML("\(error)"))
        }
        func line(_ node: Node) -> Int { node.mark.map { $0.line } ?? 0 }
        func mapping(_ node: Node, _ key: String, allowed: Set<String>) throws(DaemonConfiguration.Problem) -> [(String, Node)] {
            guard let map = node.mapping else { throw fail(key, line(node), .notAMapping) }
            var pairs: [(String, Node)] = []
            for (name, value) in map {
                let keyName = name.string ?? ""
                let path = key.isEmpty ? keyName : "\(key).\(keyName)"
                guard allowed.contains(keyName) else {
                    throw fail(path, line(name), .unknownKey(known: allowed.sorted()))
                }
                pairs.append((keyName, value))
            }
            return pairs
        }
        func scalar(_ node: Node, _ key: String, components: [String], list: Bool) throws(DaemonConfiguration.Problem) {
            lines[key] = line(node)
            if list {
                guard let items = node.sequence, items.allSatisfy({ $0.scalar != nil }) else {
                    throw fail(key, line(node), .notAList)
                }
                values[AbsoluteConfigKey(components)] = ConfigValue(.stringArray(items.compactMap { $0.scalar?.string }), isSecret: false)
            } else {
                guard let value = node.scalar?.string else { throw fail(key, line(node), .notAScalar) }
                values[AbsoluteConfigKey(components)] = ConfigValue(.string(value), isSecret: false)
            }
        }

        for (key, value) in try mapping(root, "", allowed: Self.globalKeys) {
            switch key {
            case let section where Self.sectionKeys[section] != nil:
                for (field, node) in try mapping(value, section, allowed: Self.sectionKeys[section] ?? []) {
                    try scalar(node, "\(section).\(field)", components: [section, field], list: Self.listKeys.contains(field))
                }
            case "repositories":
                guard let list = value.sequence, !list.isEmpty else {
                    throw fail("repositories", line(value), .emptyRepositories)
                }
                for (index, item) in list.enumerated() {
                    let position = "repositories[\(index)]"
                    let fields = try mapping(item, position, allowed: Self.repositoryKeys)
                    guard let nameNode = fields.first(where: { $0.0 == "name" })?.1, let name = nameNode.scalar?.string, !name.isEmpty else {
                        throw fail("\(position).name", line(item), .unnamedRepository)
                    }
                    guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), !name.hasPrefix(".") else {
                        throw fail("\(position).name", line(nameNode), .badRepositoryName(name))
                    }
                    guard !repositoryNames.contains(name) else { throw fail("\(position).name", line(nameNode), .duplicateRepositoryName(name)) }
                    repositoryNames.append(name)
                    lines["repositories.\(name)"] = line(item)
                    for (field, node) in fields where field != "name" {
                        try scalar(
                            node, "repositories.\(name).\(field)", components: ["repositories", name, field],
                            list: Self.listKeys.contains(field))
                    }
                }
            default:
                try scalar(value, key, components: [key], list: false)
            }
        }
        // Without repositories handoffd would start, report ready and serve nothing: a silent misconfiguration.
        guard !repositoryNames.isEmpty else {
            throw fail("repositories", line(root), .missingRepositories)
        }
    }
}
