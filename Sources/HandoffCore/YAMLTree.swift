/// A YAML document as flat arrays, for the checks that read many large documents (OpenAPI contracts).
///
/// Yams' nodes cost an object per tag, reference counting at every step of a walk and a copy of each pair a
/// lookup passes; here a node is an index, keys are compared as text in place, and every scalar's YAML type
/// (``ScalarKind``) is resolved once while reading. ``YAMLInput/tree(_:maxDepth:maxNodes:cost:)`` builds it
/// from the same events, screen and refusals as the Yams nodes.
struct YAMLTree: Sendable {
    enum Kind: UInt8, Sendable {
        case scalar, mapping, sequence
    }

    struct Entry: Sendable {
        var kind: Kind
        /// A scalar's resolved type (`.string` for collections, unused).
        var scalarKind: ScalarKind
        var line: Int32
        var column: Int32
        /// A scalar's text in `texts`; a collection's first child in `children`.
        var start: Int32
        /// A collection's children: items, or keys and values alternating.
        var count: Int32
    }

    private(set) var entries: [Entry] = []
    private(set) var texts: [String] = []
    private(set) var children: [Int32] = []
    /// The document's top node; nil for an empty document.
    private(set) var root: Int?

    // MARK: reading

    func isMapping(_ node: Int) -> Bool { entries[node].kind == .mapping }
    func isSequence(_ node: Int) -> Bool { entries[node].kind == .sequence }
    func isScalar(_ node: Int) -> Bool { entries[node].kind == .scalar }

    /// A scalar's resolved type; nil for a collection.
    func scalarKind(_ node: Int) -> ScalarKind? {
        let entry = entries[node]
        return entry.kind == .scalar ? entry.scalarKind : nil
    }

    /// A scalar's text, whatever its type; nil for a collection.
    func text(_ node: Int) -> String? {
        let entry = entries[node]
        return entry.kind == .scalar ? texts[Int(entry.start)] : nil
    }

    /// A string scalar's text; nil for other scalars and collections.
    func string(_ node: Int) -> String? {
        let entry = entries[node]
        return entry.kind == .scalar && entry.scalarKind == .string ? texts[Int(entry.start)] : nil
    }

    /// True when `node` is a scalar of `kind`.
    func isScalar(_ node: Int, _ kind: ScalarKind) -> Bool {
        let entry = entries[node]
        return entry.kind == .scalar && entry.scalarKind == kind
    }

    /// 1-based line and column.
    func line(_ node: Int) -> Int { Int(entries[node].line) }
    func column(_ node: Int) -> Int { Int(entries[node].column) }

    /// Pairs of a mapping, items of a sequence, 0 for a scalar.
    func count(_ node: Int) -> Int {
        let entry = entries[node]
        switch entry.kind {
        case .scalar: return 0
        case .mapping: return Int(entry.count) / 2
        case .sequence: return Int(entry.count)
        }
    }

    /// Pairs of a mapping; 0 for any other node. The bound to iterate ``key(_:_:)`` and ``value(_:_:)`` with:
    /// a contract may hold a sequence where a mapping belongs, and its items read as pairs run past the end.
    func pairCount(_ node: Int) -> Int {
        let entry = entries[node]
        return entry.kind == .mapping ? Int(entry.count) / 2 : 0
    }

    /// The `index`th key of a mapping.
    func key(_ mapping: Int, _ index: Int) -> Int { Int(children[Int(entries[mapping].start) + 2 * index]) }
    /// The `index`th value of a mapping.
    func value(_ mapping: Int, _ index: Int) -> Int { Int(children[Int(entries[mapping].start) + 2 * index + 1]) }
    /// The `index`th item of a sequence.
    func item(_ sequence: Int, _ index: Int) -> Int { Int(children[Int(entries[sequence].start) + index]) }

    /// The text of the `index`th key of a mapping ("" for a key that is a collection).
    func keyText(_ mapping: Int, _ index: Int) -> String { text(key(mapping, index)) ?? "" }

    /// The value under `name` in a mapping, keys compared as text (the first of equal keys); nil otherwise.
    func child(_ node: Int?, _ name: String) -> Int? {
        guard let node else { return nil }
        let entry = entries[node]
        guard entry.kind == .mapping else { return nil }
        var position = Int(entry.start)
        let end = position + Int(entry.count)
        while position < end {
            let key = entries[Int(children[position])]
            if key.kind == .scalar, texts[Int(key.start)] == name { return Int(children[position + 1]) }
            position += 2
        }
        return nil
    }

    /// The items of a sequence (none for other nodes).
    func items(_ node: Int?) -> [Int] {
        guard let node, isSequence(node) else { return [] }
        return (0..<count(node)).map { item(node, $0) }
    }

    // MARK: building

    /// The children of the collections still open, in order; each open collection knows where its own begin.
    private var pending: [Int32] = []
    private var open: [(kind: Kind, line: Int32, column: Int32, first: Int)] = []

    mutating func addScalar(_ text: String, kind: ScalarKind, line: Int, column: Int) {
        texts.append(text)
        add(Entry(kind: .scalar, scalarKind: kind, line: Int32(line), column: Int32(column), start: Int32(texts.count - 1), count: 0))
    }

    mutating func openCollection(mapping: Bool, line: Int, column: Int) {
        open.append((mapping ? .mapping : .sequence, Int32(line), Int32(column), pending.count))
    }

    /// Closes the innermost collection; for a mapping, returns the keys that repeat (text and type equal),
    /// sorted, with the node of the first occurrence of the first of them.
    mutating func closeCollection() -> (keys: [String], first: Int)? {
        guard let collection = open.popLast() else { return nil }
        let start = children.count
        children.append(contentsOf: pending[collection.first...])
        pending.removeSubrange(collection.first...)
        let count = children.count - start
        add(
            Entry(
                kind: collection.kind, scalarKind: .string, line: collection.line, column: collection.column, start: Int32(start),
                count: Int32(count)))
        return collection.kind == .mapping ? repeatedKeys(start: start, count: count) : nil
    }

    private mutating func add(_ entry: Entry) {
        entries.append(entry)
        let index = Int32(entries.count - 1)
        if open.isEmpty { root = Int(index) } else { pending.append(index) }
    }

    private func repeatedKeys(start: Int, count: Int) -> (keys: [String], first: Int)? {
        guard count > 2 else { return nil }
        if count <= 16 {
            // Few keys (most mappings): compare pairwise, without building a set.
            var clash = false
            for first in stride(from: start, to: start + count, by: 2) where !clash {
                for second in stride(from: first + 2, to: start + count, by: 2) where sameKey(first, second) {
                    clash = true
                    break
                }
            }
            if !clash { return nil }
        }
        var seen: [KeyIdentity: Int] = [:]
        var repeated: [String: Int] = [:]
        for position in stride(from: start, to: start + count, by: 2) {
            let key = Int(children[position])
            let entry = entries[key]
            guard entry.kind == .scalar else { continue }
            let identity = KeyIdentity(text: texts[Int(entry.start)], kind: entry.scalarKind)
            if let first = seen[identity] {
                if repeated[identity.text] == nil { repeated[identity.text] = first }
            } else {
                seen[identity] = key
            }
        }
        guard let first = repeated.keys.min(), let node = repeated[first] else { return nil }
        return (repeated.keys.sorted(), node)
    }

    private func sameKey(_ first: Int, _ second: Int) -> Bool {
        let a = entries[Int(children[first])], b = entries[Int(children[second])]
        return a.kind == .scalar && b.kind == .scalar && a.scalarKind == b.scalarKind && texts[Int(a.start)] == texts[Int(b.start)]
    }

    private struct KeyIdentity: Hashable {
        var text: String
        var kind: ScalarKind
    }
}
