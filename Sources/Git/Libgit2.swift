internal import CGit2
internal import CGit2Network
internal import CGit2ODB

/// Process-wide libgit2 setup, done once on first use and never undone.
///
/// `git_libgit2_shutdown` is never called: objects freed after a shutdown crash the process.
enum Libgit2 {
    /// Swift runs a global's initializer exactly once, thread-safely, on first access.
    private static let initialized: Bool = {
        git_libgit2_init()
        // Object creation is validated (ids exist, paths are sane). Object hashes are checked on read by every
        // repository's verifying backends (CGit2ODB, with the CPU's SHA-1) instead of libgit2's own check,
        // whose collision-detecting SHA-1 took about a third of a catch-up's CPU.
        _ = handoff_git_enable_strict_object_creation(1)
        _ = handoff_odb_prepare()
        // No libgit2 object cache: once full, it evicts a few entries per insertion by scanning its hash
        // table from the start (quadratic over a long catch-up), and it held 64 MiB besides. Each object is
        // read about once per run; the trees read again and again are kept per handle (TreeHandles).
        _ = handoff_git_enable_caching(0)
        // Every TCP connection (git://, http(s), ssh) goes through Handoff's stream, which honours deadlines.
        _ = handoff_net_register()
        return true
    }()

    /// Ensures libgit2 is initialised; cheap after the first call.
    static func ensureInitialized() {
        _ = initialized
    }
}
