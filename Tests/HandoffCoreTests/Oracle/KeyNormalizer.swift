internal import Yams

/// Rewrites mapping keys as plain scalars before decoding with `YAMLDecoder`.
///
/// Yams looks keys up by building `Node(key)`, whose tag is resolved from the text: `'201'` (quoted, a
/// string) then never equals the lookup for `201` (resolved as an integer), and OpenAPIKit reports the
/// response as missing. Contracts quote status codes all the time, so keys are normalised first.
enum KeyNormalizer {
    static func normalize(_ node: Node) -> Node {
        switch node {
        case .mapping(let mapping):
            let pairs = mapping.map { key, value -> (Node, Node) in
                let plainKey: Node = key.scalar.map { .scalar(.init($0.string, .implicit, .plain, $0.mark)) } ?? key
                return (plainKey, normalize(value))
            }
            return .mapping(.init(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(.init(sequence.map(normalize), sequence.tag, sequence.style, sequence.mark))
        case .scalar, .alias:
            return node
        }
    }
}
