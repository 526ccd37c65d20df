/// Text from participants made safe to print on a terminal.
///
/// Titles, notes, identities, paths and finding messages all arrive by git from outside the company; an
/// escape sequence in them could recolour, hide or rewrite what a reader sees, or spoof whole lines. Every
/// text renderer of `handoff` passes such fields through here, so the rule lives in one place.
public enum TerminalText {
    /// `text` with every control character written visibly: C0 (tab kept), DEL and C1 as `\xHH`, line
    /// breaks as `\n`/`\r`, and the invisible Unicode controls that reorder or break lines as `\u{HHHH}`.
    public static func escaped(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09:
                out.unicodeScalars.append(scalar)
            case 0x0A:
                out += "\\n"
            case 0x0D:
                out += "\\r"
            case 0x00...0x1F, 0x7F...0x9F:
                out += "\\x" + hex(scalar.value, digits: 2)
            case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
                // Direction overrides and line separators: "Trojan Source" reorders what is displayed.
                out += "\\u{" + hex(scalar.value, digits: 4) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
