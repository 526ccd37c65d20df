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
