import Foundation

/// Keeps the service's resident memory at what it uses (issue 16, AC-1).
///
/// A run's allocations are short-lived (a status file parsed, a tree built, a signature checked): heaptrack
/// put the heap's peak at 3.4 MiB with 100 repositories under pushes, yet RSS grew by megabytes a minute.
/// glibc's malloc kept what the runs freed: each of up to 16 arenas (8 per core) holds the high-water mark
/// of the runs that happened to use it, and the workers' runs hop between threads and so between arenas.
///
/// `mallopt` and `malloc_trim` are glibc's (`<malloc.h>`, which Swift's Glibc module leaves out), looked up
/// by name; where they are missing (another C library) nothing is done.
enum MemoryReturn {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32
    /// `M_ARENA_MAX` in glibc's `<malloc.h>`.
    private static let arenaMaximum: Int32 = -8

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // RTLD_DEFAULT (a null handle): the symbol as the process's own libraries define it.
        dlsym(nil, name).map { unsafeBitCast($0, to: type) }
    }

    /// Two arenas: runs seldom allocate at the same moment, so little contention, and what one run frees is
    /// reused by the next instead of waiting in an arena of its own. Called before the workers start.
    static func limitArenas() {
        _ = symbol("mallopt", as: Mallopt.self)?(arenaMaximum, 2)
    }

    /// Gives the free pages of every arena back to the kernel. After a run that did work only: it walks the
    /// arenas, and an idle poll frees nothing worth returning.
    static func afterRun() {
        _ = symbol("malloc_trim", as: MallocTrim.self)?(0)
    }
}
