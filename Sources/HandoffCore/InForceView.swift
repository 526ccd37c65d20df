public import GitPaths

/// A tree as it is in force: `base` with every held file (``HeldFile``) at its version in force, so that a
/// refused change is never what a check judges. Blobs are read through `readBlob` (hex id, size limit).
public struct InForceView<Base: TreeView>: TreeView {
    /// The tree as committed.
    public let base: Base
    /// The held files, by path as git tells paths apart.
    public let held: [BytePath: HeldFile]
    /// Reads a blob by hex id under a size limit.
    public let readBlob: (String, Int) throws -> FileRead
    /// Folders that hold a file in force which the tree lacks (a refused deletion), with their files.
    private let restored: [BytePath: [TreeViewEntry]]

    /// Creates the view; with nothing held it is `base` itself.
    public init(base: Base, held: [BytePath: HeldFile], readBlob: @escaping (String, Int) throws -> FileRead) {
        self.base = base
        self.held = held
        self.readBlob = readBlob
        var restored: [BytePath: [TreeViewEntry]] = [:]
        for (path, file) in held where file.inForce != nil {
            var child = TreeViewEntry(path: path.text, kind: .file)
            var components = GitPath.components(path.text).dropLast()
            // Each ancestor lists the next step down: the file, then the folders above it.
            while true {
                let folder = components.joined(separator: "/")
                restored[BytePath(folder), default: []].append(child)
                guard !components.isEmpty else { break }
                child = TreeViewEntry(path: folder, kind: .folder)
                components = components.dropLast()
            }
        }
        self.restored = restored
    }

    public func entry(at path: String) throws -> TreeViewEntry? {
        if let file = held[BytePath(path)] { return file.inForce == nil ? nil : TreeViewEntry(path: path, kind: .file) }
        if let entry = try base.entry(at: path) { return entry }
        return restored[BytePath(path)] != nil ? TreeViewEntry(path: path, kind: .folder) : nil
    }

    public func entries(inFolder path: String) throws -> [TreeViewEntry]? {
        let listed = try base.entries(inFolder: path)
        guard !held.isEmpty else { return listed }
        var entries = (listed ?? []).filter { held[BytePath($0.path)].map { $0.inForce != nil } ?? true }
        for entry in restored[BytePath(path)] ?? [] where !entries.contains(where: { GitPath.same($0.path, entry.path) }) {
            entries.append(entry)
        }
        if listed == nil, entries.isEmpty { return nil }
        return entries.sorted { BytePath($0.path) < BytePath($1.path) }
    }

    public func read(_ path: String, limit: Int) throws -> FileRead {
        guard let file = held[BytePath(path)] else { return try base.read(path, limit: limit) }
        guard let blob = file.inForce else { return .missing }
        return try readBlob(blob, limit)
    }

    public func contentID(at path: String) throws -> String? {
        guard let file = held[BytePath(path)] else { return try base.contentID(at: path) }
        return file.inForce
    }
}
