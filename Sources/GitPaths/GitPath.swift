/// Paths inside a tree as git reads them: bytes split at `/`.
///
/// Swift's `String` splits and compares by grapheme cluster and canonical equivalence: a `/` followed by a
/// combining mark is one `Character`, and `café` composed equals `café` decomposed. git sees a separator
/// and two different names. Everything that splits, compares or keys tree paths goes through here.
public enum GitPath {
    /// The components of `path`, split at `/` bytes, empty ones dropped.
    public static func components(_ path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `path` with empty components dropped (`a//b/` is `a/b`).
    public static func normalized(_ path: String) -> String {
        components(path).joined(separator: "/")
    }

    /// Code points HFS+ ignores in names (git's `is_hfs_dotgit` list).
    private static let hfsIgnorable = Set<UInt32>(
        [0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0xFEFF] + Array(0x206A...0x206F))

    /// Whether a path component names the repository's `.git` on some platform git serves, as git's own
    /// `is_ntfs_dotgit` and `is_hfs_dotgit` judge: `.git` in any case; on NTFS also with trailing dots or
    /// spaces, an alternate stream (`.git::$INDEX_ALLOCATION`) or the short name `git~1`; on HFS+ also with
    /// code points it ignores (zero-width joiners, direction marks, U+FEFF) anywhere. A tree holding one can
    /// write into the `.git` of whoever checks it out, so no path handoffd writes may contain one.
    public static func isGitDirectoryName(_ component: String) -> Bool {
        // HFS+: ignorable code points dropped, ASCII case folded.
        let hfs = String(String.UnicodeScalarView(component.unicodeScalars.filter { !hfsIgnorable.contains($0.value) }))
        var folded = Array(hfs.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
        if folded.elementsEqual(".git".utf8) { return true }
        folded = Array(component.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
        // NTFS: an alternate data stream names the file before the colon; trailing dots and spaces vanish.
        if let colon = folded.firstIndex(of: UInt8(ascii: ":")) { folded = Array(folded[..<colon]) }
        while let last = folded.last, last == UInt8(ascii: ".") || last == UInt8(ascii: " ") { folded.removeLast() }
        return folded.elementsEqual(".git".utf8) || folded.elementsEqual("git~1".utf8)
    }

    /// Whether `path` lies strictly inside the folder `folder`, byte for byte.
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        let inner = path.utf8, outer = folder.utf8
        guard inner.count > outer.count, inner.starts(with: outer) else { return false }
        return inner[inner.index(inner.startIndex, offsetBy: outer.count)] == UInt8(ascii: "/")
    }

    /// The components of `path` below the folder `folder`, or nil when `path` is not inside it.
    public static func components(of path: String, inside folder: String) -> [String]? {
        guard isInside(path, folder) else { return nil }
        return components(String(decoding: path.utf8.dropFirst(folder.utf8.count + 1), as: UTF8.self))
    }

    /// The folders above `path`, outermost first (`a/b/c` gives `a`, `a/b`).
    public static func ancestors(_ path: String) -> [String] {
        let parts = components(path)
        return parts.indices.dropLast().map { parts[...$0].joined(separator: "/") }
    }

    /// Whether git sees one path in both: the same bytes (`String`'s `==` also equates a Kelvin sign with `K`).
    public static func same(_ one: String, _ other: String) -> Bool {
        one.utf8.elementsEqual(other.utf8)
    }
}

/// A path as a dictionary key or sort key, equal, hashed and ordered by its bytes as git does. Keyed by
/// `String`, `café` composed and decomposed (two files to git) would be one entry.
public struct BytePath: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path as text.
    public let text: String

    /// Wraps `text`.
    public init(_ text: String) {
        self.text = text
    }

    /// A path written in code.
    public init(stringLiteral text: String) {
        self.text = text
    }

    public static func == (lhs: BytePath, rhs: BytePath) -> Bool {
        GitPath.same(lhs.text, rhs.text)
    }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// git's order of paths: bytewise.
    public static func < (lhs: BytePath, rhs: BytePath) -> Bool {
        lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
    }

    public var description: String { text }

    /// The path inside a `String` key (a cache key) that tells apart what git tells apart: every byte outside
    /// printable ASCII, and `%`, percent-encoded. Printable ASCII paths are their own key.
    public var exactKey: String {
        guard text.utf8.contains(where: { $0 < 0x21 || $0 > 0x7E || $0 == UInt8(ascii: "%") }) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            if byte < 0x21 || byte > 0x7E || byte == UInt8(ascii: "%") {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
