/// A text's lines as git, editors and people count them: split at every "\n" byte, each line without its
/// closing "\r". The one home for that split: a `String` split at the `Character` "\n" finds no Windows
/// line end at all, since "\r\n" is one character, and a CRLF document then reads as a single line.
public enum TextLines {
    /// The lines of `text` in order (line `n` at index `n - 1`); a text ending in a line break ends with an
    /// empty line, as `split(separator:omittingEmptySubsequences: false)` gives.
    public static func of(_ text: String) -> [Substring] {
        var text = text
        text.makeContiguousUTF8()
        let utf8 = text.utf8
        // Offsets of every "\n", found on the bytes: a scan of Characters would break graphemes for nothing.
        let breaks = utf8.withContiguousStorageIfAvailable { bytes in
            var found: [Int] = []
            for offset in 0..<bytes.count where bytes[offset] == UInt8(ascii: "\n") { found.append(offset) }
            return found
        }!
        var lines: [Substring] = []
        lines.reserveCapacity(breaks.count + 1)
        var start = 0
        for end in breaks + [utf8.count] {
            // "\n" and a "\r" before it are Character boundaries (controls break on both sides), so these
            // indices slice the String where its characters begin and end.
            let closing = end > start && utf8[utf8.index(utf8.startIndex, offsetBy: end - 1)] == UInt8(ascii: "\r") ? end - 1 : end
            lines.append(text[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: closing)])
            start = end + 1
        }
        return lines
    }
}
