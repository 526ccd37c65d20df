/// Local references (`#/components/schemas/Refund`): the one home of how a `$ref` finds its target.
enum JSONPointer {
    /// The node `reference` points at inside `tree`, or nil when it is not local or does not resolve.
    static func target(of reference: String, in tree: YAMLTree) -> Int? {
        guard reference.first == "#", let root = tree.root else { return nil }
        let pointer = reference.utf8.dropFirst()
        if pointer.isEmpty { return root }
        guard pointer.first == UInt8(ascii: "/") else { return nil }
        var current = root
        for token in pointer.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            let key = decode(token)
            if tree.isMapping(current) {
                guard let next = tree.child(current, key) else { return nil }
                current = next
            } else if tree.isSequence(current) {
                guard let index = Int(key), index >= 0, index < tree.count(current) else { return nil }
                current = tree.item(current, index)
            } else {
                return nil
            }
        }
        return current
    }

    /// A pointer token as the key it names: percent-decoded (it sits in a URI fragment), then `~1` → `/`, `~0` → `~`.
    private static func decode(_ token: Substring.UTF8View.SubSequence) -> String {
        guard token.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "~") }) else {
            return String(decoding: token, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.count)
        var index = token.startIndex
        while index < token.endIndex {
            let byte = token[index]
            if byte == UInt8(ascii: "%"), let high = hex(token, token.index(after: index)),
                let low = hex(token, token.index(index, offsetBy: 2, limitedBy: token.endIndex) ?? token.endIndex)
            {
                bytes.append(high << 4 | low)
                index = token.index(index, offsetBy: 3)
                continue
            }
            bytes.append(byte)
            index = token.index(after: index)
        }
        var key: [UInt8] = []
        key.reserveCapacity(bytes.count)
        var position = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "~"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "1") {
                key.append(UInt8(ascii: "/"))
                position += 2
            } else if bytes[position] == UInt8(ascii: "~"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "0") {
                key.append(UInt8(ascii: "~"))
                position += 2
            } else {
                key.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: key, as: UTF8.self)
    }

    private static func hex(_ token: Substring.UTF8View.SubSequence, _ index: Substring.UTF8View.Index) -> UInt8? {
        guard index < token.endIndex else { return nil }
        switch token[index] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return token[index] - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return token[index] - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return token[index] - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
