import Foundation
internal import OpenAPIKit
import Synchronization
internal import Yams

/// Decodes a `Decodable` (an OpenAPIKit document) from a composed Yams node, as Yams' `YAMLDecoder` does,
/// but with every mapping indexed once by its keys' text.
///
/// Profiling showed `YAMLDecoder` spending most of a contract check finding keys: each lookup scans the
/// mapping comparing nodes, and each comparison resolves both tags with a regular expression. The
/// results here are the same, error messages and coding paths included: scalars are converted by Yams'
/// own `ScalarConstructible` conformances. A document with a merge key (`<<`), which only Yams flattens,
/// is left to `YAMLDecoder`.
enum NodeDecoder {
    /// `type` decoded from `node`, or nil when `node` holds a merge key.
    static func decode<T: Decodable>(_ type: T.Type, from node: Node) throws -> T? {
        guard let tree = IndexedNode(node) else { return nil }
        return try IndexedDecoder(tree: tree, codingPath: []).decodeValue(type)
    }

    /// `type` decoded from `node`: indexed, or by `YAMLDecoder` (after KeyNormalizer) when `node` holds a merge key.
    static func decodeDocument<T: Decodable>(_ type: T.Type, from node: Node) throws -> T {
        try decode(type, from: node) ?? YAMLDecoder().decode(type, from: KeyNormalizer.normalize(node))
    }
}

/// A node whose mappings can be searched by key text.
private indirect enum IndexedNode {
    case scalar(Node.Scalar)
    case mapping(IndexedMapping)
    case sequence([IndexedNode])
    case alias

    /// Nil when a mapping below uses a merge key.
    init?(_ node: Node) {
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar)
        case .alias:
            self = .alias
        case .sequence(let sequence):
            var items: [IndexedNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence {
                guard let indexed = IndexedNode(item) else { return nil }
                items.append(indexed)
            }
            self = .sequence(items)
        case .mapping(let mapping):
            var keys: [String] = []
            var values: [String: IndexedNode] = [:]
            for (key, value) in mapping {
                // Only a key that is not a scalar has no text: Yams can neither list nor find it either.
                guard let scalar = key.scalar else { continue }
                // Any `<<`: after KeyNormalizer's rewrite even a quoted one is a merge key to Yams.
                if scalar.string == "<<" { return nil }
                guard let indexed = IndexedNode(value) else { return nil }
                keys.append(scalar.string)
                // Keys are found by text, as after KeyNormalizer's rewrite; Yams finds the first of two equal ones.
                if values[scalar.string] == nil { values[scalar.string] = indexed }
            }
            self = .mapping(IndexedMapping(keys: keys, values: values))
        }
    }

    /// The type name Yams' messages give for this node ("Expected to decode X but found Mapping instead.").
    var kindName: String {
        switch self {
        case .scalar: "Scalar"
        case .mapping: "Mapping"
        case .sequence: "Sequence"
        case .alias: "Alias"
        }
    }
}

/// A mapping's keys in document order, and its values by key text.
private final class IndexedMapping {
    // A class so that decoders copy a reference, not the mapping.
    let keys: [String]
    let values: [String: IndexedNode]

    init(keys: [String], values: [String: IndexedNode]) {
        self.keys = keys
        self.values = values
    }
}

/// A coding key for a position in a sequence, spelled as Yams spells it.
private struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init?(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init?(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
}

/// Type names by type: OpenAPIKit tries alternatives, so mismatches are frequent, and naming a type at run
/// time (demangling) cost a tenth of a contract check (measured).
private let typeNames = Mutex<[ObjectIdentifier: String]>([:])

private func typeMismatch(_ codingPath: [any CodingKey], expected: Any.Type, found: String) -> DecodingError {
    let name = typeNames.withLock { names in
        if let known = names[ObjectIdentifier(expected)] { return known }
        let name = "\(expected)"
        names[ObjectIdentifier(expected)] = name
        return name
    }
    return .typeMismatch(expected, .init(codingPath: codingPath, debugDescription: "Expected to decode \(name) but found \(found) instead."))
}

private struct IndexedDecoder: Decoder, SingleValueDecodingContainer {
    let tree: IndexedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = tree else {
            throw typeMismatch(codingPath, expected: Node.Mapping.self, found: "Node")  // Yams names the whole node here
        }
        return KeyedDecodingContainer(IndexedKeyedContainer<Key>(decoder: self, mapping: mapping))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items) = tree else {
            throw typeMismatch(codingPath, expected: Node.Sequence.self, found: "Node")
        }
        return IndexedUnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// What `AnyCodable(from:)` makes of `node`: scalars converted here in AnyCodable's order, containers
    /// left to AnyCodable itself (which comes back here for their contents).
    func anyCodable(_ node: IndexedNode, key: any CodingKey) throws -> AnyCodable {
        guard case .scalar(let scalar) = node else { return try AnyCodable(from: child(node, key: key)) }
        if NSNull.construct(from: scalar) != nil { return AnyCodable(NSNull()) }
        if let bool = Bool.construct(from: scalar) { return AnyCodable(bool) }
        if let int = Int.construct(from: scalar) { return AnyCodable(int) }
        if let uint = UInt.construct(from: scalar) { return AnyCodable(uint) }
        if let double = Double.construct(from: scalar) { return AnyCodable(double) }
        return AnyCodable(scalar.string)
    }

    func child(_ node: IndexedNode, key: any CodingKey) -> IndexedDecoder {
        IndexedDecoder(tree: node, codingPath: codingPath + [key])
    }

    func decodeNil() -> Bool {
        guard case .scalar(let scalar) = tree else { return false }
        return NSNull.construct(from: scalar) != nil
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        // OpenAPIKit reads every object a second time as [String: AnyCodable] to find its vendor extensions.
        // AnyCodable tries Bool, Int, UInt, Double and String in turn; for a scalar the same conversions are
        // made here directly, without a failed decode (an error) per try.
        if type == [String: AnyCodable].self, case .mapping(let mapping) = tree {
            var dictionary: [String: AnyCodable] = [:]
            for key in mapping.keys where dictionary[key] == nil {
                dictionary[key] = try anyCodable(mapping.values[key]!, key: IndexKey(stringValue: key)!)
            }
            return dictionary as! T  // swiftlint:disable:this force_cast (T is exactly this type)
        }
        if type == [AnyCodable].self, case .sequence(let items) = tree {
            return try items.enumerated().map { try anyCodable($1, key: IndexKey(index: $0)) } as! T  // swiftlint:disable:this force_cast
        }
        guard let constructible = type as? any ScalarConstructible.Type else { return try T(from: self) }
        guard case .scalar(let scalar) = tree else {
            throw typeMismatch(codingPath, expected: Node.Scalar.self, found: tree.kindName)
        }
        guard let constructed = constructible.construct(from: scalar) else {
            throw typeMismatch(codingPath, expected: type, found: "Scalar")
        }
        guard let value = constructed as? T else {
            throw typeMismatch(codingPath, expected: type, found: "\(Swift.type(of: constructed))")
        }
        return value
    }
}

private struct IndexedKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: IndexedDecoder
    let mapping: IndexedMapping

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { mapping.keys.compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { mapping.values[key.stringValue] != nil }

    private func child(_ key: any CodingKey) throws -> IndexedDecoder {
        guard let node = mapping.values[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                .init(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return decoder.child(node, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { try child(IndexKey(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct IndexedUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: IndexedDecoder
    let items: [IndexedNode]
    var currentIndex = 0

    init(decoder: IndexedDecoder, items: [IndexedNode]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item's decoder; the position advances after `body` succeeds (for `decodeNil` too, as in Yams).
    private mutating func next<T>(_ type: Any.Type, _ body: (IndexedDecoder) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: codingPath + [IndexKey(index: currentIndex)],
                    debugDescription: "Unkeyed container is at end."))
        }
        let value = try body(decoder.child(items[currentIndex], key: IndexKey(index: currentIndex)))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool { try next(Any?.self) { $0.decodeNil() } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decodeValue(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next((any Decoder).self) { $0 } }
}
