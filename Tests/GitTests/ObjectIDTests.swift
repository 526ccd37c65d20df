import Foundation
import GitTestSupport
import Testing

@testable import Git

@Suite("Object ids")
struct ObjectIDTests {
    @Test("hex round-trips, either case in, lowercase out")
    func roundTrip() {
        let hex = "4B825DC642CB6EB9A060E54BF8D69288FBEE4904"
        let id = ObjectID(hex: hex)
        #expect(id?.hex == hex.lowercased())
        #expect(id == ObjectID.emptyTree)
        #expect(id.map { ObjectID(bytes: $0.bytes) } == id)
        #expect(ObjectID.zero.isZero)
        #expect(ObjectID.emptyTree.abbreviated(7) == "4b825dc")
    }

    @Test(
        "anything but 40 hex digits is rejected",
        arguments: [
            "", "abc", String(repeating: "g", count: 40),
            String(repeating: "a", count: 41),
        ])
    func rejects(_ text: String) {
        #expect(ObjectID(hex: text) == nil)
    }

    @Test("ids order like their hex")
    func ordering() {
        let a = ObjectID(hex: "00000000000000000000000000000000000000ff")!
        let b = ObjectID(hex: "0000000000000000000000000000000000000100")!
        #expect(a < b)
        #expect(Set([a, b, a]).count == 2)
    }

    @Test("times print as ISO 8601 in their own offset")
    func iso8601() {
        #expect(GitTime(seconds: 0, offsetMinutes: 0).iso8601 == "1970-01-01T00:00:00+00:00")
        #expect(GitTime(seconds: 1_795_000_000, offsetMinutes: -330).iso8601 == "2026-11-18T05:36:40-05:30")
        #expect(GitTime(seconds: -1, offsetMinutes: 60).iso8601 == "1970-01-01T00:59:59+01:00")
        #expect(GitTime(seconds: -62_167_219_201, offsetMinutes: 0).iso8601 == "-001-12-31T23:59:59+00:00")
        #expect(GitTime(seconds: 253_402_300_800, offsetMinutes: 0).iso8601 == "10000-01-01T00:00:00+00:00")
        // Any time a commit may claim, without trapping: the ends saturate.
        #expect(GitTime(seconds: .max, offsetMinutes: 60).iso8601 == GitTime(seconds: .max, offsetMinutes: 0).iso8601.dropLast(6) + "+01:00")
        #expect(GitTime(seconds: .min, offsetMinutes: -60).iso8601.hasSuffix("-01:00"))
        #expect(GitTime(seconds: .min, offsetMinutes: 0).iso8601.hasSuffix("+00:00"))
        // Padded as printf pads, which formatted these before.
        var random = SystemRandomNumberGenerator()
        for value in [0, 7, -7, 99, -99, 10_000, -10_000, Int64.max, Int64.min]
            + (0..<500).map({ _ in Int64.random(in: -99_999...99_999, using: &random) })
        {
            for width in [2, 4] {
                #expect(GitTime.padded(value, width) == String(format: "%0\(width)lld", value), "\(value) \(width)")
            }
        }
    }
}
