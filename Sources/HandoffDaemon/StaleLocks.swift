// MemberImportVisibility finds `struct stat`'s timespec fields in the CoreFoundation module Foundation re-exports.
import CoreFoundation
import Foundation

/// Reference lock files left behind by a process killed while it held them (`kill -9`, power loss).
///
/// libgit2 and git both update a reference by creating `<ref>.lock`, writing it and renaming it over the
/// reference: a crash in between leaves the lock, and every later update of that reference fails until
/// someone removes it. A live writer holds such a lock for milliseconds (longer only while a
/// `reference-transaction` hook runs), so a lock untouched for `maximumAge` is treated as abandoned.
enum StaleLocks {
    /// How old a lock file must be before it counts as abandoned.
    static let maximumAge: TimeInterval = 30

    /// Removes the abandoned lock files of `references` (full names) and of `packed-refs` in the bare
    /// repository at `gitDirectory`; returns what was removed, with each lock's age in seconds.
    static func clear(
        in gitDirectory: String, references: [String], maximumAge: TimeInterval = maximumAge,
        now: Date = Date()
    ) -> [(path: String, age: Int)] {
        clear(lockFiles(in: gitDirectory, references: references), maximumAge: maximumAge, now: now)
    }

    /// The lock files of `references` (full names) and of `packed-refs` in the bare repository at
    /// `gitDirectory`, each once: computed once by a caller that clears them on every poll.
    static func lockFiles(in gitDirectory: String, references: [String]) -> [String] {
        Set(references + ["packed-refs"]).sorted().map { "\(gitDirectory)/\($0).lock" }
    }

    /// Removes those of `lockFiles` (paths from `lockFiles(in:references:)`) untouched for `maximumAge`;
    /// returns what was removed, with each lock's age in seconds.
    static func clear(_ lockFiles: [String], maximumAge: TimeInterval = maximumAge, now: Date = Date()) -> [(path: String, age: Int)] {
        var removed: [(path: String, age: Int)] = []
        for path in lockFiles {
            // One stat(2), not FileManager's attributesOfItem: this runs on every poll of every repository,
            // and building the attribute dictionary was most of an idle poll's CPU (issue 16, AC-2).
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let age = now.timeIntervalSince1970 - (Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            guard age > maximumAge else { continue }
            if unlink(path) == 0 { removed.append((path, Int(age))) }
        }
        return removed
    }
}
