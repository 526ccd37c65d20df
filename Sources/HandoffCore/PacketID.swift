/// A packet's id: its folder name, `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$` (DESIGN.md §2).
public struct PacketID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The id as written.
    public let rawValue: String

    /// Validates `text`; nil when it is not a well-formed packet id.
    public init?(_ text: some StringProtocol) {
        let scalars = Array(text.unicodeScalars)
        guard (1...64).contains(scalars.count), Self.isAlphanumeric(scalars[0]),
            scalars.allSatisfy({ Self.isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" })
        else { return nil }
        rawValue = String(text)
    }

    public var description: String { rawValue }

    public static func < (lhs: PacketID, rhs: PacketID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = PacketID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a packet id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
