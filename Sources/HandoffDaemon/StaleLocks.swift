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
        var removed: [(path: String, age: Int)] = []
        for name in Set(references + ["packed-refs"]).sorted() {
            let path = "\(gitDirectory)/\(name).lock"
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { continue }
            let age = now.timeIntervalSince(modified)
            guard age > maximumAge else { continue }
            if unlink(path) == 0 { removed.append((path, Int(age))) }
        }
        return removed
    }
}
