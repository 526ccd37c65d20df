import Testing
import Yams

@testable import HandoffCore

/// YAMLInput builds nodes from the same libyaml events it screens: they must be the nodes Yams' composer
/// builds (text, tags, styles, marks), and its refusals Yams' refusals.
@Suite("One-pass YAML composition")
struct YAMLComposeTests {
    static let documents: [String] = [
        "a: 1\nb: [x, 'y', \"z\", ~, yes, 1.5, 2024-01-02]\nc: {d: !!str 5, e: f}\ng: |\n    block\n",
        "- one\n- {two: 2}\n- [three, [four]]\n- ? complex\n  : value\n",
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"x\", \"version\": \"1\"}, \"paths\": {}}",
        "key: >\n  folded\n  text\nquoted: 'it''s'\nnul: \"a\\0b\"\nunicode: \"é ✓ \\u263A\"\ntagged: !custom {a: 1}\n",
        "",
        "# only a comment\n",
        "---\nplain\n...\n",
        "'200': ok\n200: fine\n",
    ]

    /// Text, tag, style and mark of every node, in document order. Tags are compared resolved: Yams resolves
    /// its keys' tags when it looks for repeated keys, YAMLInput leaves them to be resolved when read.
    static func shape(_ node: Node) -> [String] {
        let mark = node.mark.map { "\($0.line):\($0.column)" } ?? "-"
        switch node {
        case .scalar(let scalar):
            _ = scalar == scalar  // resolves an implicit tag in place
            return ["scalar \(scalar.string.debugDescription) \(scalar.tag.description) \(scalar.style) \(mark)"]
        case .sequence(let sequence):
            return ["sequence \(sequence.tag.description) \(sequence.style) \(mark)"] + sequence.flatMap(shape)
        case .mapping(let mapping):
            return ["mapping \(mapping.tag.description) \(mapping.style) \(mark)"]
                + mapping.flatMap { key, value in shape(key) + shape(value) }
        case .alias:
            return ["alias"]
        }
    }

    @Test("the nodes are Yams' own, tags, styles and marks included", arguments: documents)
    func sameNodes(_ text: String) throws {
        let yams = try Yams.compose(yaml: text)
        let ours = try YAMLInput.parse(text, maxDepth: 64).get()
        #expect(yams.map(Self.shape) == ours.map(Self.shape))
    }

    @Test(
        "the published examples compose to Yams' nodes", .enabled(if: Fixtures.available, "needs ../shared/fixtures"),
        arguments: Fixtures.names)
    func published(_ name: String) throws {
        let text = try Fixtures.text(name)
        #expect(try Yams.compose(yaml: text).map(Self.shape) == (try YAMLInput.parse(text, maxDepth: 64).get()).map(Self.shape))
    }

    /// Text, kind and position of every node of a tree, in document order, as ``shape(_:)`` gives them for
    /// Yams' nodes but without tags (a tree keeps each scalar's resolved type instead).
    static func treeShape(_ tree: YAMLTree, _ node: Int) -> [String] {
        let mark = "\(tree.line(node)):\(tree.column(node))"
        if let text = tree.text(node) { return ["scalar \(text.debugDescription) \(mark)"] }
        if tree.isSequence(node) { return ["sequence \(mark)"] + tree.items(node).flatMap { treeShape(tree, $0) } }
        return ["mapping \(mark)"]
            + (0..<tree.count(node)).flatMap { treeShape(tree, tree.key(node, $0)) + treeShape(tree, tree.value(node, $0)) }
    }

    static func nodeShape(_ node: Node) -> [String] {
        let mark = node.mark.map { "\($0.line):\($0.column)" } ?? "-"
        switch node {
        case .scalar(let scalar): return ["scalar \(scalar.string.debugDescription) \(mark)"]
        case .sequence(let sequence): return ["sequence \(mark)"] + sequence.flatMap(nodeShape)
        case .mapping(let mapping): return ["mapping \(mark)"] + mapping.flatMap { key, value in nodeShape(key) + nodeShape(value) }
        case .alias: return ["alias"]
        }
    }

    @Test("a YAMLTree holds the nodes Yams builds, text and positions", arguments: documents)
    func sameTree(_ text: String) throws {
        var cost = CheckCost()
        let tree = try YAMLInput.tree(text, maxDepth: 64, maxNodes: 1000, cost: &cost).get()
        let yams = try Yams.compose(yaml: text)
        #expect(tree.flatMap { tree in tree.root.map { Self.treeShape(tree, $0) } } == yams.map(Self.nodeShape))
    }

    @Test(
        "the published examples read into a tree as into Yams' nodes", .enabled(if: Fixtures.available, "needs ../shared/fixtures"),
        arguments: Fixtures.names)
    func publishedTree(_ name: String) throws {
        let text = try Fixtures.text(name)
        var cost = CheckCost()
        let tree = try #require(try YAMLInput.tree(text, maxDepth: 64, maxNodes: 100_000, cost: &cost).get())
        #expect(Self.treeShape(tree, try #require(tree.root)) == (try Yams.compose(yaml: text)).map(Self.nodeShape))
    }

    @Test(
        "plain scalars resolve as PyYAML's YAML 1.1 resolver reads them",
        arguments: [
            ("1.0", ScalarKind.float), ("1.0.0", .string), ("3.1.0", .string), ("42", .integer), ("-7", .integer),
            ("+12", .integer), ("1_000", .integer), ("0x1F", .integer), ("0b101", .integer), ("1.5e+3", .float),
            ("1e5", .string), ("-.inf", .float), (".NaN", .float), (".5", .float), ("yes", .boolean), ("Off", .boolean),
            ("TRUE", .boolean), ("nope", .string), ("~", .null), ("null", .null), ("", .null), ("2024-01-02", .timestamp),
            ("2024-01-02T10:00:00Z", .timestamp), ("2024-01-02x", .string), ("-", .string), ("1.2.3.4", .string),
        ])
    func scalarKinds(_ text: String, _ kind: ScalarKind) {
        var text = text
        #expect(text.withUTF8 { ScalarKind.classify($0) } == kind, "\(text)")
    }

    @Test("a Mark made by YAMLInput reads back its line and column (Yams keeps its initializer internal)")
    func markLayout() {
        #expect(MemoryLayout<Mark>.size == 2 * MemoryLayout<Int>.size)
        let mark = YAMLInput.mark(line: 12, column: 34)
        #expect(mark.line == 12 && mark.column == 34)
    }

    @Test("repeated keys and a second document are refused as Yams refuses them, after the screen's own refusals")
    func composerRefusals() {
        let repeated = YAMLInput.parse("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n  d: 4\n", maxDepth: 64)
        #expect(repeated == .failure(YAMLInput.Refusal(line: 3, column: 3, problem: .duplicateKeys(["c", "d"]))))
        #expect(throws: (any Error).self) { try Yams.compose(yaml: "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n  d: 4\n") }
        // A quoted '200' is a string and a plain 200 an integer: two keys, for Yams as here.
        #expect((try? YAMLInput.parse("'200': a\n200: b\n", maxDepth: 64).get()) != nil)
        let twoDocuments = YAMLInput.parse("a: 1\n---\nb: 2\n", maxDepth: 64)
        #expect(twoDocuments == .failure(YAMLInput.Refusal(line: 2, column: 1, problem: .syntax(problem: "but found another document"))))
        // The screen's refusal comes first even when it lies after a repeated key, and the count covers the document.
        var cost = CheckCost()
        let both = YAMLInput.parse("a: 1\na: 2\nb: *x\n", maxDepth: 64, maxNodes: 100, cost: &cost)
        #expect(both == .failure(YAMLInput.Refusal(line: 3, column: 4, problem: .alias(name: "x"))))
    }
}
