import Foundation
import HandoffCore
import HandoffHTTP
import Logging
import Synchronization

/// H1 and H2: handoffd's HTTP server (in process, on 127.0.0.1) holding snapshots of 20 repositories of
/// 2,000 packets, each request on a new TCP connection: the board page and the packets route, beside
/// `/healthz` on the same server (the cost of a connection and an answer with nothing to compute).
enum HTTPScenario {
    struct Figures {
        var board: [Double]
        var packets: [Double]
        var health: [Double]
        var repositories: Int
        var packetsPerRepository: Int
        var residentMiB: Double
    }

    static func run(repositories: Int, packets: Int, requests: Int, seed: UInt64) throws -> Figures {
        let store = SnapshotStore()
        var generator = SplitMix64(seed: seed)
        store.serve((0..<repositories).map { "repo-\($0)" })
        for index in 0..<repositories {
            store.publish(snapshot(name: "repo-\(index)", packets: packets, generator: &generator))
            store.health(of: "repo-\(index)", firstPassDone: true, stall: nil)
        }
        let bound = Mutex<String?>(nil)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let server = HTTPServer(
            store: store, address: .tcp(host: "127.0.0.1", port: 0), requestTimeout: 10, logger: logger,
            onListening: { address in bound.withLock { $0 = address } })
        let task = Task.detached { try await server.run() }
        defer { task.cancel() }
        let deadline = Date().addingTimeInterval(30)
        var address: String?
        while address == nil {
            guard Date() < deadline else { throw BenchError("H1: the HTTP server did not start") }
            usleep(10_000)
            address = bound.withLock { $0 }
        }
        guard let port = address?.split(separator: ":").last.flatMap({ UInt16($0) }) else { throw BenchError("H1: no port in \(address ?? "")") }
        let target = "repo-\(repositories / 2)"
        func measure(_ path: String) throws -> [Double] {
            for _ in 0..<min(20, requests) { _ = try get(path, port: port) }
            var times: [Double] = []
            let clock = ContinuousClock()
            for _ in 0..<requests {
                let start = clock.now
                let (status, bytes) = try get(path, port: port)
                times.append(ms(clock.now - start))
                guard status == 200, bytes > 0 else { throw BenchError("H1: \(path) answered \(status)") }
            }
            return times
        }
        let board = try measure("/r/\(target)")
        let list = try measure("/v1/repositories/\(target)/packets?state=ready&limit=500")
        let health = try measure("/healthz")
        return Figures(
            board: board, packets: list, health: health, repositories: repositories, packetsPerRepository: packets,
            residentMiB: MeasuredRun.procStatus(pid: getpid(), field: "VmRSS") ?? 0)
    }

    /// One GET on a new connection: the status code and the bytes of the whole answer.
    static func get(_ path: String, port: UInt16) throws -> (Int, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect: \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { throw BenchError("send: \(errno)") }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        let head = String(decoding: answer.prefix(16), as: UTF8.self)
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, answer.count)
    }

    /// A repository of `packets` packets in every state, with histories, findings and criteria of typical size.
    static func snapshot(name: String, packets count: Int, generator: inout SplitMix64) -> PublishedRepository {
        let people = ["ana@acme.example", "bo@acme.example", "dev@contractors.example", "eve@contractors.example"]
        let teams = ["payments", "risk", "ledger", "identity"]
        var packets: [PublishedPacket] = []
        for index in 0..<count {
            let id = PacketID("SYN-\(index)")!
            let state = PacketState.allCases[Int(generator.next() % UInt64(PacketState.allCases.count))]
            let day = 1 + Int(generator.next() % 28)
            let at = "2026-10-\(day < 10 ? "0" : "")\(day)T10:00:00Z"
            var status = PacketStatus(id: id, since: at, specRevision: String(repeating: "b", count: 40))
            status.title = "Synthetic packet \(index): partial refunds for card payments"
            status.state = state
            status.reviewers = [people[0]]
            status.assignee = state == .draft || state == .ready ? nil : people[2 + index % 2]
            status.score = state == .draft ? 40 : 100
            status.errors = state == .draft ? 3 : 0
            status.findings =
                state == .draft
                ? (1...3).map {
                    Finding(.contextPlaceholder, file: "specs/\(id)/context.md", line: $0 * 4, message: "placeholder 'TBD' in the context")
                }
                : []
            status.history = [
                HistoryEntry(
                    at: at, commit: String(repeating: "c", count: 40), by: people[index % 2], kind: .created, from: nil, to: .ready,
                    outcome: .applied(note: ""))
            ]
            if state != .draft && state != .ready {
                status.history.append(
                    HistoryEntry(
                        at: at, commit: String(repeating: "d", count: 40), by: people[2], kind: .workflow(.claim), from: .ready, to: .inProgress,
                        outcome: .applied(note: "starting")))
            }
            let criteria = (1...3).map {
                PublishedCriterion(id: "AC-\($0)", file: "specs/\(id)/acceptance.md", line: $0 * 2, text: "AC-\($0): Given …")
            }
            packets.append(PublishedPacket(status: status, scope: .finite, client: teams[index % teams.count], criteria: criteria))
        }
        return PublishedRepository(
            name: name, branch: "main", statusReference: "refs/heads/main", statusCommit: String(repeating: "e", count: 40),
            publishedAt: "2026-11-30T10:00:00Z", packets: packets, events: [])
    }
}
