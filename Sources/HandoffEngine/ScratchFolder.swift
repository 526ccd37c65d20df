import Foundation

/// Short-lived folders for ssh-keygen's input, output and signature files, under handoffd's state
/// directory rather than a shared `/tmp`.
///
/// Each folder is named after the process that made it, so a process killed before its cleanup leaves
/// something a later start can recognise as abandoned and remove, while folders of live processes (a
/// hook running beside the daemon) are left alone.
public enum ScratchFolder {
    /// The folder inside a state directory that holds the scratch folders.
    public static func base(inStateDirectory stateDirectory: String) -> String { "\(stateDirectory)/tmp" }

    /// A new, private (0700) folder inside `base`, created with `base` when needed.
    static func create(in base: String) throws -> String {
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var template = Array("\(base)/\(getpid())-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: base, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        return String(cString: made)
    }

    /// Removes every folder in `base` whose process is gone; returns how many were removed.
    @discardableResult
    public static func sweep(_ base: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return 0 }
        var removed = 0
        for name in names {
            // Not ours (no pid prefix): left alone. Ours: kept while its process lives.
            guard let pid = name.split(separator: "-").first.flatMap({ pid_t($0) }), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            if (try? FileManager.default.removeItem(atPath: "\(base)/\(name)")) != nil { removed += 1 }
        }
        return removed
    }
}
