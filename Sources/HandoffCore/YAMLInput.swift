// libyaml as bundled by Yams: its event parser is the only way to look at a document without building nodes.
internal import CYaml
internal import Yams

/// Untrusted YAML, checked event by event before Yams builds a single node.
///
/// Yams resolves aliases by copying nodes and hashes mapping keys to find duplicates, so a few hundred
/// bytes of nested aliases take minutes and gigabytes; its composer also recurses once per nesting level.
/// Packets never need aliases, so libyaml's event stream is read first: the first alias, a collection
/// nested deeper than the limit, or more nodes than the limit refuse the document before Yams composes it.
/// Events are the parser's own reading, so quotes, comments and block scalars cannot fool the check.
enum YAMLInput {
    /// Why a document is refused.
    enum Problem: Hashable, Sendable {
        /// An alias (`*name`): never needed in a packet, and the way to a billion laughs.
        case alias(name: String)
        /// Collections nested deeper than the limit.
        case tooDeep(limit: Int)
        /// More nodes (scalars and collections) than the limit.
        case tooManyNodes(limit: Int)
        /// libyaml could not read the document.
        case syntax(problem: String)
        /// A mapping repeats keys (reported by Yams' composer).
        case duplicateKeys([String])
    }

    /// A reason to refuse a document, with its position.
    struct Refusal: Error, Hashable {
        /// 1-based line, 0 when unknown.
        var line: Int
        /// 1-based column, 0 when unknown.
        var column: Int
        /// What is wrong.
        var problem: Problem

        /// One sentence for a finding.
        var message: String {
            switch problem {
            case .alias(let name): "YAML alias (*\(name)) found; aliases are not accepted in packets"
            case .tooDeep(let limit): "YAML nests collections more than \(limit) levels deep, beyond the nesting limit"
            case .tooManyNodes(let limit): "YAML holds more than \(limit) values, beyond the limit for one document"
            case .syntax(let problem): "YAML does not parse: \(problem)"
            case .duplicateKeys(let keys): "YAML mapping repeats the key(s) \(keys.joined(separator: ", "))"
            }
        }

        /// What the author should do.
        var hint: String {
            switch problem {
            case .alias: "Write the value out in full, or quote it if the '*' is meant literally."
            case .tooDeep: "Flatten the document; packet YAML needs only a few levels."
            case .tooManyNodes: "Split the document, or move bulk data out of the packet; specs need far fewer values."
            case .syntax: "Fix the YAML at this position."
            case .duplicateKeys: "Keep one entry per key."
            }
        }
    }

    /// Parses `text` into a node with line marks, or says precisely why not.
    static func parse(_ text: String, maxDepth: Int, maxNodes: Int = CheckLimits.default.maxYAMLNodes) -> Result<Node?, Refusal> {
        var cost = CheckCost()
        return parse(text, maxDepth: maxDepth, maxNodes: maxNodes, cost: &cost)
    }

    /// Parses `text` like ``parse(_:maxDepth:maxNodes:)``, adding to `cost` the values the screen read
    /// (all of them, or those up to the refusal): what a check budget counts.
    ///
    /// One pass of libyaml's events both screens and builds the nodes, as Yams' composer builds them (tags,
    /// styles, marks), without its second parse and without resolving every key's tag with regular
    /// expressions to find repeated keys, which dominated contract checking.
    static func parse(_ text: String, maxDepth: Int, maxNodes: Int, cost: inout CheckCost) -> Result<Node?, Refusal> {
        var sink = NodeSink()
        let read = read(text, maxDepth: maxDepth, maxNodes: maxNodes, into: &sink)
        cost.yamlValues += read.values
        if let refused = read.refusal { return .failure(refused) }
        return .success(sink.root)
    }

    /// Reads `text` into a ``YAMLTree``: the same screen, refusals and count as ``parse(_:maxDepth:maxNodes:cost:)``.
    static func tree(_ text: String, maxDepth: Int, maxNodes: Int, cost: inout CheckCost) -> Result<YAMLTree?, Refusal> {
        var sink = TreeSink()
        let read = read(text, maxDepth: maxDepth, maxNodes: maxNodes, into: &sink)
        cost.yamlValues += read.values
        if let refused = read.refusal { return .failure(refused) }
        return .success(sink.tree.root == nil ? nil : sink.tree)
    }

    /// Reads libyaml's events for `text` and returns the first reason to refuse it, building nothing.
    ///
    /// Stops at the first problem, so its cost is bounded by the input's size whatever the input holds.
    /// Also returns the number of values (scalars and collections) read.
    static func screen(_ text: String, maxDepth: Int, maxNodes: Int) -> (refusal: Refusal?, values: Int) {
        var sink = ScreenSink()
        return read(text, maxDepth: maxDepth, maxNodes: maxNodes, into: &sink)
    }

    /// The one loop over libyaml's events: the screen's refusals first (alias, depth, count, syntax), then
    /// what Yams' composer would refuse (repeated keys, a second document), each at its first occurrence.
    /// The composer's refusals are kept while the screen reads on, so the count of values and the screen's
    /// precedence are what they were when the screen ran before Yams. `sink` builds from the first document.
    private static func read<Sink: YAMLSink>(
        _ text: String, maxDepth: Int, maxNodes: Int, into sink: inout Sink
    ) -> (refusal: Refusal?, values: Int) {
        var input = text
        var nodes = 0
        var composerRefusal: Refusal?
        let refusal = input.withUTF8 { bytes -> Refusal? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return Refusal(line: 0, column: 0, problem: .syntax(problem: "the YAML parser could not start (out of memory)"))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var depth = 0
            var documents = 0
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return syntaxRefusal(parser, maxDepth: maxDepth) }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                let column = Int(event.start_mark.column) + 1
                let building = Sink.builds && documents == 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents == 2, composerRefusal == nil {
                        composerRefusal = Refusal(line: line, column: column, problem: .syntax(problem: "but found another document"))
                    }
                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    return Refusal(line: line, column: column, problem: .alias(name: name))
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    nodes += 1
                    if depth > maxDepth { return Refusal(line: line, column: column, problem: .tooDeep(limit: maxDepth)) }
                    if building {
                        let isMapping = event.type == YAML_MAPPING_START_EVENT
                        let implicit = isMapping ? event.data.mapping_start.implicit : event.data.sequence_start.implicit
                        let tag = implicit != 0 ? nil : tagText(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
                        sink.open(mapping: isMapping, tag: tag, line: line, column: column)
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                    if building, let repeated = sink.close(), composerRefusal == nil { composerRefusal = repeated }
                case YAML_SCALAR_EVENT:
                    nodes += 1
                    if building {
                        let scalar = event.data.scalar
                        // As Yams: a quoted scalar without a tag is a string; a plain one is resolved later.
                        let tag = scalar.quoted_implicit == 1 ? Tag.Name.str.rawValue : tagText(scalar.tag)
                        sink.scalar(
                            UnsafeBufferPointer(start: scalar.value, count: scalar.length), tag: tag,
                            style: Node.Scalar.Style(rawValue: numericCast(scalar.style.rawValue)) ?? .any, line: line, column: column)
                    }
                default:
                    break
                }
                if nodes > maxNodes { return Refusal(line: line, column: column, problem: .tooManyNodes(limit: maxNodes)) }
            }
        }
        return (refusal ?? composerRefusal, nodes)
    }

    /// A Yams `Mark`, whose initializer Yams keeps internal: a `Mark` is two `Int`s, line then column, laid
    /// out as declared (Yams is built without library evolution); BoundedInputTests pins the layout.
    static func mark(line: Int, column: Int) -> Mark {
        unsafeBitCast((line, column), to: Mark.self)
    }

    private static func tagText(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.flatMap { String(validatingCString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private static func syntaxRefusal(_ parser: yaml_parser_t, maxDepth: Int) -> Refusal {
        // The scanner reads ahead of the events (a flow collection may turn out to be a key), so a run of
        // brackets can hit libyaml's own nesting cap before the events reach ours: its levels say which.
        let indents = parser.indents.start.flatMap { start in parser.indents.top.map { start.distance(to: $0) } } ?? 0
        if Int(parser.flow_level) + indents > maxDepth {
            return Refusal(
                line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1,
                problem: .tooDeep(limit: maxDepth))
        }
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.context.map { String(cString: $0) }
        let text = context.map { "\(problem) (\($0))" } ?? problem
        if parser.error == YAML_READER_ERROR {
            // The reader reports a byte offset, not a mark.
            return Refusal(line: 0, column: 0, problem: .syntax(problem: "\(text) at byte \(parser.problem_offset)"))
        }
        return Refusal(
            line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1,
            problem: .syntax(problem: text))
    }
}

/// What the loop over libyaml's events builds from the first document: nothing (the screen), Yams nodes,
/// or a ``YAMLTree``.
private protocol YAMLSink {
    /// False for the screen, which builds nothing.
    static var builds: Bool { get }
    mutating func scalar(_ bytes: UnsafeBufferPointer<UInt8>, tag: String?, style: Node.Scalar.Style, line: Int, column: Int)
    mutating func open(mapping: Bool, tag: String?, line: Int, column: Int)
    /// Closes the innermost collection; Yams' refusal when it is a mapping whose keys repeat.
    mutating func close() -> YAMLInput.Refusal?
}

private struct ScreenSink: YAMLSink {
    static var builds: Bool { false }
    func scalar(_ bytes: UnsafeBufferPointer<UInt8>, tag: String?, style: Node.Scalar.Style, line: Int, column: Int) {}
    func open(mapping: Bool, tag: String?, line: Int, column: Int) {}
    func close() -> YAMLInput.Refusal? { nil }
}

/// Builds the nodes Yams' composer builds: tags, styles and marks as it sets them.
private struct NodeSink: YAMLSink {
    static var builds: Bool { true }

    /// A collection being built: its start event's tag and mark, and its items so far (keys and values
    /// alternating for a mapping).
    private struct Open {
        var isMapping: Bool
        var tag: String?
        var mark: Mark
        var items: [Node] = []
    }

    private(set) var root: Node?
    private var stack: [Open] = []
    // One resolver and constructor per document, as Yams' parser holds them: `Constructor.default` builds
    // its tables anew on every call. A string tag is never resolved further, so the quoted scalars, most of
    // a JSON document, share one.
    private let resolver = Resolver.default
    private let constructor = Constructor.default
    private let stringTag: Tag

    init() {
        stringTag = Tag(.str, resolver, constructor)
    }

    private func tag(_ name: String?) -> Tag {
        name == Tag.Name.str.rawValue ? stringTag : Tag(name.map(Tag.Name.init(rawValue:)) ?? .implicit, resolver, constructor)
    }

    private mutating func add(_ node: Node) {
        if stack.isEmpty { root = node } else { stack[stack.count - 1].items.append(node) }
    }

    mutating func scalar(_ bytes: UnsafeBufferPointer<UInt8>, tag name: String?, style: Node.Scalar.Style, line: Int, column: Int) {
        add(.scalar(Node.Scalar(String(decoding: bytes, as: UTF8.self), tag(name), style, YAMLInput.mark(line: line, column: column))))
    }

    mutating func open(mapping: Bool, tag: String?, line: Int, column: Int) {
        stack.append(Open(isMapping: mapping, tag: tag, mark: YAMLInput.mark(line: line, column: column)))
    }

    mutating func close() -> YAMLInput.Refusal? {
        guard let open = stack.popLast() else { return nil }
        // Yams reads a collection's style from its end event, which carries none: `.any`.
        guard open.isMapping else {
            add(.sequence(Node.Sequence(open.items, tag(open.tag), .any, open.mark)))
            return nil
        }
        var pairs: [(Node, Node)] = []
        pairs.reserveCapacity(open.items.count / 2)
        var index = 0
        while index + 1 < open.items.count {
            pairs.append((open.items[index], open.items[index + 1]))
            index += 2
        }
        add(.mapping(Node.Mapping(pairs, tag(open.tag), .any, open.mark)))
        return Self.repeatedKeys(pairs)
    }

    /// Yams' refusal of a mapping whose keys repeat: keys are equal when their text and resolved type are,
    /// reported sorted, at the first occurrence of the first of them.
    private static func repeatedKeys(_ pairs: [(Node, Node)]) -> YAMLInput.Refusal? {
        guard pairs.count > 1 else { return nil }
        var seen: [KeyIdentity: Node] = [:]
        seen.reserveCapacity(pairs.count)
        var repeated: [String: Node] = [:]
        for (key, _) in pairs {
            guard case .scalar(let scalar) = key else { continue }
            let identity = KeyIdentity(text: scalar.string, kind: ScalarKind(scalar))
            if let first = seen[identity] {
                if repeated[scalar.string] == nil { repeated[scalar.string] = first }
            } else {
                seen[identity] = key
            }
        }
        guard let first = repeated.keys.min(), let mark = repeated[first]?.mark else { return nil }
        return YAMLInput.Refusal(line: mark.line, column: mark.column, problem: .duplicateKeys(repeated.keys.sorted()))
    }

    private struct KeyIdentity: Hashable {
        var text: String
        var kind: ScalarKind
    }
}

/// Builds a ``YAMLTree``, each scalar's type resolved as it is read.
private struct TreeSink: YAMLSink {
    static var builds: Bool { true }
    private(set) var tree = YAMLTree()

    mutating func scalar(_ bytes: UnsafeBufferPointer<UInt8>, tag: String?, style: Node.Scalar.Style, line: Int, column: Int) {
        let kind: ScalarKind =
            if let tag, let tagged = ScalarKind.tagged(tag) {
                tagged
            } else if style == .plain || style == .any {
                ScalarKind.classify(bytes)
            } else {
                .string
            }
        tree.addScalar(String(decoding: bytes, as: UTF8.self), kind: kind, line: line, column: column)
    }

    mutating func open(mapping: Bool, tag: String?, line: Int, column: Int) {
        tree.openCollection(mapping: mapping, line: line, column: column)
    }

    mutating func close() -> YAMLInput.Refusal? {
        guard let repeated = tree.closeCollection() else { return nil }
        return YAMLInput.Refusal(
            line: tree.line(repeated.first), column: tree.column(repeated.first), problem: .duplicateKeys(repeated.keys))
    }
}
