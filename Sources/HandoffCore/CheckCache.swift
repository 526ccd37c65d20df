import Foundation
import Synchronization

/// Memoised per-file check results, keyed by content id (a git blob id) and the limits in force.
///
/// A contract's findings depend only on its bytes, so one parse serves every packet, commit and run
/// that holds the same blob. Shared across threads; bounded, evicting everything when full.
public final class CheckCache: Sendable {
    /// What is kept for one contract file: findings without their file, and the operations it defines.
    struct Entry: Sendable, Codable {
        var findings: [Finding]
        var operations: [APIOperation]
        var isContract: Bool
        /// What checking the file cost, charged again to a budget on every hit.
        var cost: CheckCost
    }

    /// What is kept for one acceptance file: its criteria, their findings (for the file at that path), the
    /// operations they name, and what reading it cost. A hit spares reading the file.
    struct AcceptanceEntry: Sendable {
        var criteria: [AcceptanceCheck.Criterion]
        var findings: [Finding]
        var mentions: [AcceptanceCheck.Mention]
        var cost: CheckCost
    }

    /// What is kept for one manifest: what parsing it gave, and what reading and parsing it cost.
    struct ManifestEntry: Sendable {
        var manifest: Manifest?
        var findings: [Finding]
        var cost: CheckCost
    }

    /// What is kept for one context document: what it says whatever tree it sits in (its links, resolved to
    /// paths, are looked up in each tree), and what reading it cost.
    struct ContextEntry: Sendable {
        var links: [LinkCheck.ResolvedLink]
        var findings: [Finding]
        var cost: CheckCost
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Manifests live only in memory, like acceptance results: a catch-up meets the same manifest at
        /// every commit that touches its packet.
        var manifests: [String: ManifestEntry] = [:]
        /// Acceptance results live only in memory: a hook's push and a catch-up re-check the same
        /// acceptance file at every commit that touches its packet.
        var acceptance: [String: AcceptanceEntry] = [:]
        /// Context results live only in memory too, for the same reason.
        var contexts: [String: ContextEntry] = [:]
        var hits = 0
        var misses = 0
        /// Whether entries were stored since the cache was made or loaded: only then is saving worth it.
        var changed = false
    }

    private let state = Mutex(State())
    /// Most entries kept before the cache starts over.
    public let capacity: Int

    /// Creates an empty cache holding at most `capacity` files.
    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Lookups that found an entry, and lookups that did not.
    public var statistics: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }

    func entry(for key: String) -> Entry? {
        state.withLock { state in
            let found = state.entries[key]
            if found == nil { state.misses += 1 } else { state.hits += 1 }
            return found
        }
    }

    /// Whether a contract entry is held (no hit or miss is counted: checking ahead asks, the checks look up).
    func containsEntry(for key: String) -> Bool {
        state.withLock { $0.entries[key] != nil }
    }

    /// Whether a context entry is held.
    func containsContext(for key: String) -> Bool {
        state.withLock { $0.contexts[key] != nil }
    }

    /// Whether an acceptance entry is held.
    func containsAcceptance(for key: String) -> Bool {
        state.withLock { $0.acceptance[key] != nil }
    }

    /// Writes the entries to `path` (JSON), so that a short-lived process (a git hook) can reuse them.
    public func save(to path: String) throws {
        let entries = state.withLock { $0.entries }
        let data = try JSONEncoder().encode(entries)
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try data.write(to: URL(fileURLWithPath: temporary))
        // rename(2) replaces atomically: a concurrent reader sees the old file or the new one.
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// A cache holding the entries saved at `path`; empty when the file is missing or unreadable
    /// (a cache is only ever an optimisation).
    public static func load(from path: String, capacity: Int = 10_000) -> CheckCache {
        let cache = CheckCache(capacity: capacity)
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64 << 20,
            let entries = try? JSONDecoder().decode([String: Entry].self, from: data)
        else { return cache }
        cache.state.withLock { state in
            for (key, entry) in entries.prefix(capacity) { state.entries[key] = entry }
        }
        return cache
    }

    func manifest(for key: String) -> ManifestEntry? {
        state.withLock { $0.manifests[key] }
    }

    func store(_ entry: ManifestEntry, for key: String) {
        state.withLock { Self.insert(entry, for: key, into: &$0.manifests, capacity: capacity) }
    }

    func context(for key: String) -> ContextEntry? {
        state.withLock { $0.contexts[key] }
    }

    func store(_ entry: ContextEntry, for key: String) {
        state.withLock { Self.insert(entry, for: key, into: &$0.contexts, capacity: capacity) }
    }

    func acceptance(for key: String) -> AcceptanceEntry? {
        state.withLock { $0.acceptance[key] }
    }

    func store(_ entry: AcceptanceEntry, for key: String) {
        state.withLock { Self.insert(entry, for: key, into: &$0.acceptance, capacity: capacity) }
    }

    func store(_ entry: Entry, for key: String) {
        state.withLock { state in
            Self.insert(entry, for: key, into: &state.entries, capacity: capacity)
            state.changed = true
        }
    }

    /// The one eviction rule of every table: full, it starts over (bounded memory, no bookkeeping per hit).
    private static func insert<Value>(_ value: Value, for key: String, into table: inout [String: Value], capacity: Int) {
        if table.count >= capacity { table.removeAll(keepingCapacity: true) }
        table[key] = value
    }

    /// Whether contract entries (what ``save(to:)`` writes) were stored since the cache was made or loaded.
    public var hasUnsavedEntries: Bool { state.withLock { $0.changed } }
}
