/// A tree as it is in force: `base` with every held file (``HeldFile``) at its version in force, so that a
/// refused change is never what a check judges. Blobs are read through `readBlob` (hex id, size limit).
public struct InForceView<Base: TreeView>: TreeView {
    /// The tree as committed.
    public let base: Base
    /// The held files, by path.
    public let held: [String: HeldFile]
    /// Reads a blob by hex id under a size limit.
    public let readBlob: (String, Int) throws -> FileRead
    /// Folders that hold a file in force which the tree lacks (a refused deletion), with their files.
    private let restored: [String: [TreeViewEntry]]

    /// Creates the view; with nothing held it is `base` itself.
    public init(base: Base, held: [String: HeldFile], readBlob: @escaping (String, Int) throws -> FileRead) {
        self.base = base
        self.held = held
        self.readBlob = readBlob
        var restored: [String: [TreeViewEntry]] = [:]
        for (path, file) in held where file.inForce != nil {
            var child = TreeViewEntry(path: path, kind: .file)
            var components = path.split(separator: "/").dropLast()
            // Each ancestor lists the next step down: the file, then the folders above it.
            while true {
                let folder = components.joined(separator: "/")
                restored[folder, default: []].append(child)
                guard !components.isEmpty else { break }
                child = TreeViewEntry(path: folder, kind: .folder)
                components = components.dropLast()
            }
        }
        self.restored = restored
    }

    public func entry(at path: String) throws -> TreeViewEntry? {
        if let file = held[path] { return file.inForce == nil ? nil : TreeViewEntry(path: path, kind: .file) }
        if let entry = try base.entry(at: path) { return entry }
        return restored[path] != nil ? TreeViewEntry(path: path, kind: .folder) : nil
    }

    public func entries(inFolder path: String) throws -> [TreeViewEntry]? {
        let listed = try base.entries(inFolder: path)
        guard !held.isEmpty else { return listed }
        var entries = (listed ?? []).filter { held[$0.path].map { $0.inForce != nil } ?? true }
        for entry in restored[path] ?? [] where !entries.contains(where: { $0.path == entry.path }) {
            entries.append(entry)
        }
        if listed == nil, entries.isEmpty { return nil }
        return entries.sorted { $0.path < $1.path }
    }

    public func read(_ path: String, limit: Int) throws -> FileRead {
        guard let file = held[path] else { return try base.read(path, limit: limit) }
        guard let blob = file.inForce else { return .missing }
        return try readBlob(blob, limit)
    }

    public func contentID(at path: String) throws -> String? {
        guard let file = held[path] else { return try base.contentID(at: path) }
        return file.inForce
    }
}
