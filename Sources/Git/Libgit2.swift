internal import CGit2

/// Process-wide libgit2 setup, done once on first use and never undone.
///
/// `git_libgit2_shutdown` is never called: objects freed after a shutdown crash the process.
enum Libgit2 {
    /// Swift runs a global's initializer exactly once, thread-safely, on first access.
    private static let initialized: Bool = {
        git_libgit2_init()
        // Object creation is validated (ids exist, paths are sane) and object hashes are checked on read.
        _ = handoff_git_enable_strict_object_creation(1)
        _ = handoff_git_enable_strict_hash_verification(1)
        // Bound libgit2's object cache: repositories are untrusted and may be huge.
        _ = handoff_git_set_cache_max_size(64 * 1024 * 1024)
        // libgit2 caches only trees under 4 KiB, and that default stays: big trees are kept per handle
        // instead (TreeHandles), because evicting them from libgit2's cache is quadratic.
        return true
    }()

    /// Ensures libgit2 is initialised; cheap after the first call.
    static func ensureInitialized() {
        _ = initialized
    }
}
