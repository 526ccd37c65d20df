import Foundation
import HandoffCore

/// Every route of handoffd's HTTP server, answered from the ``SnapshotStore`` alone: the read API under
/// `/v1`, `/healthz`, `/readyz`, `/openapi.yaml`, and the dashboard's pages. Never reads a repository.
public struct HandoffWeb: Sendable {
    /// Largest page of packets or events a request may ask for.
    public static let maxPageSize = 500
    /// Page size when a request names none.
    public static let defaultPageSize = 100

    private let store: SnapshotStore
    private let pages: Pages

    /// Routes over `store`.
    public init(store: SnapshotStore) {
        self.store = store
        pages = Pages()
    }

    /// The answer to `method` on `path` (percent-encoded, as received) with `query` parameters.
    public func answer(method: String, path: String, query: [String: String]) -> WebAnswer {
        guard method == "GET" || method == "HEAD" else { return .problem(.methodNotAllowed(method)) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        do {
            return try route(parts, path: path, query: query)
        } catch let problem as WebProblem {
            return parts.first == "v1" || parts.first == "readyz" ? .problem(problem) : .html(pages.problem(problem), status: problem.status)
        } catch {
            return .problem(.notFound(path))
        }
    }

    private func route(_ parts: [String], path: String, query: [String: String]) throws -> WebAnswer {
        switch parts.count {
        case 0: return .html(pages.home(store.all()))
        case 1:
            switch parts[0] {
            case "healthz": return .json(["status": "ok"])
            case "readyz":
                let waiting = store.notReady()
                return waiting.isEmpty
                    ? .json(["status": "ready"]) : .json(["status": "not ready", "detail": waiting.joined(separator: "; ")], status: 503)
            case "openapi.yaml": return WebAnswer(status: 200, contentType: "application/yaml", body: OpenAPIDocument.yaml)
            case "style.css": return WebAnswer(status: 200, contentType: "text/css", body: Pages.css)
            default: break
            }
        default: break
        }
        if parts.first == "v1" { return try api(Array(parts.dropFirst()), path: path, query: query) }
        if parts.first == "r", parts.count >= 2 {
            let snapshot = try published(parts[1])
            switch parts.count {
            case 2: return .html(pages.board(snapshot, query: query))
            case 3 where parts[2] == "flow": return .html(pages.flow(snapshot))
            case 3 where parts[2] == "triage": return .html(pages.triage(snapshot))
            case 3 where parts[2] == "events":
                return .html(pages.events(snapshot, page: try page(query, total: snapshot.events.count)))
            case 4 where parts[2] == "packets": return .html(pages.packet(try packet(parts[3], in: snapshot), in: snapshot))
            default: break
            }
        }
        throw WebProblem.notFound(path)
    }

    private func api(_ parts: [String], path: String, query: [String: String]) throws -> WebAnswer {
        guard parts.first == "repositories" else { throw WebProblem.notFound(path) }
        if parts.count == 1 { return .json(store.all().map { RepositoryJSON(name: $0.name, entry: $0.entry) }) }
        let snapshot = try published(parts[1])
        switch parts.count {
        case 2:
            guard let entry = store.entry(parts[1]) else { throw WebProblem.unknownRepository(parts[1]) }
            return .json(RepositoryJSON(name: parts[1], entry: entry))
        case 3 where parts[2] == "packets":
            let selected = try filter(snapshot.packets, query: query)
            let page = try page(query, total: selected.count)
            return .json(
                PageJSON(items: selected[page.range].map(PacketSummaryJSON.init), total: selected.count, limit: page.limit, offset: page.offset))
        case 3 where parts[2] == "events":
            let page = try page(query, total: snapshot.events.count)
            return .json(
                PageJSON(items: snapshot.events[page.range].map(EventJSON.init), total: snapshot.events.count, limit: page.limit, offset: page.offset)
            )
        case 3 where parts[2] == "flow": return .json(FlowJSON(snapshot.flow))
        case 3 where parts[2] == "triage": return .json(TriageJSON(snapshot.triage))
        case 4 where parts[2] == "packets": return .json(PacketDetailJSON(packet: try packet(parts[3], in: snapshot)))
        default: throw WebProblem.notFound(path)
        }
    }

    private func published(_ name: String) throws -> PublishedRepository {
        guard let entry = store.entry(name) else { throw WebProblem.unknownRepository(name) }
        guard let snapshot = entry.snapshot else { throw WebProblem.notPublishedYet(name) }
        return snapshot
    }

    private func packet(_ id: String, in snapshot: PublishedRepository) throws -> PublishedPacket {
        guard let packetID = PacketID(id), let packet = snapshot.packet(packetID) else {
            throw WebProblem.unknownPacket(repository: snapshot.name, id: id)
        }
        return packet
    }

    /// Packets matching `state`, `assignee`, `scope` and `client` (each optional, exact).
    func filter(_ packets: [PublishedPacket], query: [String: String]) throws -> [PublishedPacket] {
        var state: PacketState?
        if let text = query["state"] {
            guard let parsed = PacketState(rawValue: text) else {
                throw WebProblem.badParameter(
                    name: "state", value: text, expected: PacketState.allCases.map(\.rawValue).joined(separator: ", "))
            }
            state = parsed
        }
        var scope: Manifest.Scope?
        if let text = query["scope"] {
            guard let parsed = Manifest.Scope(rawValue: text) else {
                throw WebProblem.badParameter(name: "scope", value: text, expected: "finite, ongoing")
            }
            scope = parsed
        }
        let assignee = query["assignee"]
        let client = query["client"]
        if state == nil, scope == nil, assignee == nil, client == nil { return packets }
        return packets.filter { packet in
            (state.map { packet.status.state == $0 } ?? true) && (scope.map { packet.scope == $0 } ?? true)
                && (assignee.map { packet.status.assignee == $0 } ?? true) && (client.map { packet.client == $0 } ?? true)
        }
    }

    /// A page: `limit` (1 to ``maxPageSize``, default ``defaultPageSize``) items from `offset` (default 0).
    func page(_ query: [String: String], total: Int) throws -> PageRequest {
        var limit = Self.defaultPageSize
        var offset = 0
        if let text = query["limit"] {
            guard let value = Int(text), (1...Self.maxPageSize).contains(value) else {
                throw WebProblem.badParameter(name: "limit", value: text, expected: "an integer from 1 to \(Self.maxPageSize)")
            }
            limit = value
        }
        if let text = query["offset"] {
            guard let value = Int(text), value >= 0 else { throw WebProblem.badParameter(name: "offset", value: text, expected: "an integer ≥ 0") }
            offset = value
        }
        return PageRequest(limit: limit, offset: offset, total: total)
    }
}

/// A bounded slice of a list.
struct PageRequest {
    var limit: Int
    var offset: Int
    var total: Int

    /// The items asked for that exist; clamped before adding, so an offset near `Int.max` cannot overflow.
    var range: Range<Int> {
        let start = min(offset, total)
        return start..<(start + min(limit, total - start))
    }
}
