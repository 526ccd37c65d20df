import Synchronization

/// Memoised per-file check results, keyed by content id (a git blob id) and the limits in force.
///
/// A contract's findings depend only on its bytes, so one parse serves every packet, commit and run
/// that holds the same blob. Shared across threads; bounded, evicting everything when full.
public final class CheckCache: Sendable {
    /// What is kept for one contract file: findings without their file, and the operations it defines.
    struct Entry: Sendable {
        var findings: [Finding]
        var operations: [APIOperation]
        var isContract: Bool
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var hits = 0
        var misses = 0
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

    func store(_ entry: Entry, for key: String) {
        state.withLock { state in
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = entry
        }
    }
}
