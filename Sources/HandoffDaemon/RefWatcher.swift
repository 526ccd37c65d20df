import Dispatch
import Foundation
import Synchronization

/// Watches a local repository's references with inotify and calls `changed` when one may have moved.
///
/// A ref update shows as `<ref>.lock` renamed onto the ref; `git pack-refs` renames `packed-refs` in the
/// repository's root. inotify is not recursive and can miss events, so polling stays the source of truth.
final class RefWatcher: Sendable {
    private let fd: Int32
    // Dispatch sources are not Sendable; the mutex is the only way to reach this one.
    private let source: Mutex<(any DispatchSourceRead)?>

    /// Watches `repository` (a bare repository's folder) and the folders below `refs/heads`.
    init?(repository: String, changed: @escaping @Sendable () -> Void) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE | IN_DELETE)
        var folders = [repository, "\(repository)/refs/heads"]
        if let enumerator = FileManager.default.enumerator(atPath: "\(repository)/refs/heads") {
            for case let relative as String in enumerator {
                var isFolder: ObjCBool = false
                let path = "\(repository)/refs/heads/\(relative)"
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { folders.append(path) }
            }
        }
        var watched = 0
        for folder in folders where inotify_add_watch(fd, folder, mask) >= 0 { watched += 1 }
        guard watched > 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "handoffd.inotify"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 4096)
            var sawRefChange = false
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let length = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 12, as: UInt32.self) }
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let nameBytes = buffer[nameStart..<min(count, nameStart + Int(length))].prefix { $0 != 0 }
                    let name = String(decoding: nameBytes, as: UTF8.self)
                    // Lock files come and go with every update; the rename onto the ref is what counts.
                    if !name.hasSuffix(".lock") { sawRefChange = true }
                    offset = nameStart + Int(length)
                }
            }
            if sawRefChange { changed() }
        }
        source.setCancelHandler { close(fd) }
        source.resume()
        self.source = Mutex(source)
    }

    func stop() {
        source.withLock { $0?.cancel() }
    }
}
