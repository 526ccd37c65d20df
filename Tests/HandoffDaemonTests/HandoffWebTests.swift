import Foundation
import HandoffCore
import HandoffHTTP
import Logging
import Synchronization
import Testing

/// The routes over a store, without a socket; then the server itself on a Unix socket.
@Suite("HTTP routes over snapshots")
struct HandoffWebTests {
    static func store() -> SnapshotStore {
        let store = SnapshotStore()
        store.serve(["specs", "ops"])
        var packets: [PublishedPacket] = []
        for index in 0..<700 {
            var status = PacketStatus(id: PacketID("PAY-\(index)")!, since: "2026-11-02T09:00:00Z", specRevision: "a")
            status.title = "Packet \(index)"
            status.state = index % 2 == 0 ? .ready : .draft
            packets.append(PublishedPacket(status: status, scope: .finite, client: "payments"))
        }
        store.publish(
            PublishedRepository(
                name: "specs", branch: "main", statusReference: "refs/heads/main", statusCommit: "c", publishedAt: "2026-11-03T09:00:00Z",
                packets: packets, events: []))
        return store
    }

    @Test("readyz waits for the configuration and every first pass, and fails while a repository is stalled")
    func readiness() {
        #expect(HandoffWeb(store: SnapshotStore()).answer(method: "GET", path: "/readyz", query: [:]).status == 503)
        let store = Self.store()
        let web = HandoffWeb(store: store)
        #expect(web.answer(method: "GET", path: "/readyz", query: [:]).status == 503)
        store.health(of: "specs", firstPassDone: true, stall: nil)
        store.health(of: "ops", firstPassDone: true, stall: "cannot open /srv/git/ops.git")
        let stalled = web.answer(method: "GET", path: "/readyz", query: [:])
        #expect(stalled.status == 503 && stalled.body.contains("ops: stalled: cannot open /srv/git/ops.git"))
        store.health(of: "ops", firstPassDone: true, stall: nil)
        #expect(web.answer(method: "GET", path: "/readyz", query: [:]).status == 200)
        // A repository served but not read yet answers 503 on its routes, not 404.
        #expect(web.answer(method: "GET", path: "/v1/repositories/ops/packets", query: [:]).status == 503)
        store.serve(["specs"])
        #expect(web.answer(method: "GET", path: "/v1/repositories/ops/packets", query: [:]).status == 404)
    }

    @Test("pages are bounded: API pages of at most 500, board columns of 50 with a link to the next page")
    func bounds() throws {
        let web = HandoffWeb(store: Self.store())
        let page = web.answer(method: "GET", path: "/v1/repositories/specs/packets", query: ["limit": "500", "offset": "100"])
        let body = try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any]
        #expect((body?["items"] as? [Any])?.count == 500 && body?["total"] as? Int == 700)
        let end = web.answer(method: "GET", path: "/v1/repositories/specs/packets", query: ["offset": "5000"])
        #expect(end.status == 200 && end.body.contains(#""items":[]"#))
        // An offset near Int.max trapped on `offset + limit`, taking the daemon down with every repository.
        for path in ["/v1/repositories/specs/packets", "/v1/repositories/specs/events", "/r/specs/events", "/r/specs"] {
            for offset in ["\(Int.max)", "\(Int.max - 5)"] {
                let far = web.answer(method: "GET", path: path, query: ["offset": offset, "limit": "500"])
                #expect(far.status == 200 || far.status == 400, "\(path)?offset=\(offset)")
            }
        }
        let board = web.answer(method: "GET", path: "/r/specs", query: [:]).body
        #expect(board.components(separatedBy: #"class="packet "#).count - 1 == 100)
        #expect(board.contains(#"href="?state=ready&amp;offset=50""#) || board.contains(#"href="?state=ready&offset=50""#))
        let next = web.answer(method: "GET", path: "/r/specs", query: ["state": "ready", "offset": "300"]).body
        #expect(next.components(separatedBy: #"class="packet "#).count - 1 == 50)
        #expect(web.answer(method: "POST", path: "/v1/repositories", query: [:]).status == 405)
        #expect(web.answer(method: "GET", path: "/v1/nothing", query: [:]).contentType == "application/problem+json")
        #expect(web.answer(method: "GET", path: "/nothing", query: [:]).contentType.hasPrefix("text/html"))
    }

    @Test("the server answers on a Unix socket and stops when its task is cancelled")
    func unixSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hd-\(UUID().uuidString.prefix(8)).sock").path
        defer { unlink(path) }
        let listening = Mutex(false)
        let server = HTTPServer(
            store: Self.store(), address: .unixSocket(path), requestTimeout: 5, logger: Logger(label: "test"),
            onListening: { _ in listening.withLock { $0 = true } })
        let task = Task { try await server.run() }
        for _ in 0..<500 where !listening.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(listening.withLock { $0 })
        let answer = try Self.get("/v1/repositories/specs/packets/PAY-3", socket: path)
        #expect(answer.hasPrefix("HTTP/1.1 200") && answer.contains(#""title":"Packet 3""#))
        task.cancel()
        _ = await task.result
    }

    /// One request over a Unix stream socket; the whole answer.
    static func get(_ path: String, socket file: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in file.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return "connect failed: \(errno)" }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
