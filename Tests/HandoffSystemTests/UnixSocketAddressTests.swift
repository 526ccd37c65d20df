import Foundation
import HandoffSystem
import Testing

@Suite("Unix socket addresses")
struct UnixSocketAddressTests {
    @Test("a path's length counts the family, the path and its NUL; an abstract name has no NUL")
    func lengths() throws {
        let family = MemoryLayout<sa_family_t>.size
        #expect(try #require(UnixSocketAddress(path: "/run/x.sock")).length == socklen_t(family + 11 + 1))
        #expect(try #require(UnixSocketAddress(notifySocket: "/run/x.sock")).length == socklen_t(family + 11 + 1))
        #expect(try #require(UnixSocketAddress(notifySocket: "@handoff")).length == socklen_t(family + 8))
    }

    @Test("names that do not fit, and empty ones, are refused")
    func tooLong() {
        #expect(UnixSocketAddress(path: "/" + String(repeating: "a", count: 107)) == nil)
        #expect(UnixSocketAddress(path: "/" + String(repeating: "a", count: 106)) != nil)
        #expect(UnixSocketAddress(path: "") == nil)
    }

    @Test("a datagram sent to a bound path arrives; so does one to an abstract name")
    func roundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hs-\(UUID().uuidString.prefix(8)).sock").path
        for (listen, send) in [
            (UnixSocketAddress(path: path), UnixSocketAddress(notifySocket: path)),
            (
                UnixSocketAddress(notifySocket: "@handoff-test-\(getpid())"),
                UnixSocketAddress(notifySocket: "@handoff-test-\(getpid())")
            ),
        ] {
            let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            let sender = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            defer {
                close(listener)
                close(sender)
                unlink(path)
            }
            #expect(try #require(listen).bind(listener) == 0)
            #expect(try #require(send).send(Array("poke".utf8), from: sender) == 4)
            var buffer = [UInt8](repeating: 0, count: 16)
            let count = recv(listener, &buffer, buffer.count, 0)
            #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self) == "poke")
        }
    }
}
