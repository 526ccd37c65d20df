import HandoffCore

/// A tree held in memory, for checks that need no disk and no git: microseconds per test.
struct MemoryTreeView: TreeView {
    var files: [String: [UInt8]]
    var specials: [String: EntryKind] = [:]
    /// Whether to offer content ids (FNV-1a of the bytes), as a git tree offers blob ids.
    var offersContentIDs = false

    func contentID(at path: String) throws -> String? {
        guard offersContentIDs, let bytes = files[path] else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    init(_ files: [String: String], specials: [String: EntryKind] = [:]) {
        self.files = files.mapValues { Array($0.utf8) }
        self.specials = specials
    }

    func entry(at path: String) throws -> TreeViewEntry? {
        if let kind = specials[path] { return TreeViewEntry(path: path, kind: kind) }
        if files[path] != nil { return TreeViewEntry(path: path, kind: .file) }
        let prefix = path + "/"
        if files.keys.contains(where: { $0.hasPrefix(prefix) }) || specials.keys.contains(where: { $0.hasPrefix(prefix) }) {
            return TreeViewEntry(path: path, kind: .folder)
        }
        return nil
    }

    func entries(inFolder path: String) throws -> [TreeViewEntry]? {
        let prefix = path.isEmpty ? "" : path + "/"
        if !path.isEmpty, try entry(at: path)?.kind != .folder { return nil }
        var names = Set<String>()
        for key in Array(files.keys) + Array(specials.keys) where key.hasPrefix(prefix) {
            names.insert(String(key.dropFirst(prefix.count).prefix { $0 != "/" }))
        }
        return try names.sorted().compactMap { try entry(at: prefix + $0) }
    }

    func read(_ path: String, limit: Int) throws -> FileRead {
        if let kind = specials[path] { return .notAFile(kind) }
        guard let bytes = files[path] else {
            return try entry(at: path) == nil ? .missing : .notAFile(.folder)
        }
        return bytes.count > limit ? .tooLarge(size: bytes.count) : .bytes(bytes)
    }
}
