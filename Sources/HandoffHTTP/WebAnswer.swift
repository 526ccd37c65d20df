import Foundation
import HandoffCore

/// An HTTP answer before it meets the server: status, content type and body. Routes produce these from the
/// store alone, so they are tested and benchmarked without a socket.
public struct WebAnswer: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: String

    /// An answer from its parts.
    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static func json(_ value: some Encodable, status: Int = 200) -> WebAnswer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return WebAnswer(status: status, contentType: "application/json", body: body)
    }

    static func html(_ body: String, status: Int = 200) -> WebAnswer {
        WebAnswer(status: status, contentType: "text/html; charset=utf-8", body: body)
    }

    /// An RFC 9457 problem: `application/problem+json` with type, title, status and detail.
    static func problem(_ problem: WebProblem) -> WebAnswer {
        var answer = json(
            ProblemJSON(type: "about:blank", title: problem.title, status: problem.status, detail: problem.detail), status: problem.status)
        answer.contentType = "application/problem+json"
        return answer
    }
}

/// The body of a problem answer (RFC 9457).
struct ProblemJSON: Encodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
}

/// What went wrong with a request, by case; rendered as a problem document or an error page.
enum WebProblem: Error {
    /// No repository of that name is served.
    case unknownRepository(String)
    /// The repository has no published packet of that id.
    case unknownPacket(repository: String, id: String)
    /// Nothing is served at that path.
    case notFound(String)
    /// A query parameter is out of range or malformed.
    case badParameter(name: String, value: String, expected: String)
    /// Only GET and HEAD are served.
    case methodNotAllowed(String)
    /// The repository has not been read yet.
    case notPublishedYet(String)

    var status: Int {
        switch self {
        case .unknownRepository, .unknownPacket, .notFound: 404
        case .badParameter: 400
        case .methodNotAllowed: 405
        case .notPublishedYet: 503
        }
    }

    var title: String {
        switch self {
        case .unknownRepository: "Unknown repository"
        case .unknownPacket: "Unknown packet"
        case .notFound: "Not found"
        case .badParameter: "Bad parameter"
        case .methodNotAllowed: "Method not allowed"
        case .notPublishedYet: "Not published yet"
        }
    }

    var detail: String {
        switch self {
        case .unknownRepository(let name): "no repository named '\(name)' is served here"
        case .unknownPacket(let repository, let id): "repository '\(repository)' has no published packet '\(id)'"
        case .notFound(let path): "nothing is served at '\(path)'"
        case .badParameter(let name, let value, let expected): "'\(value)' is not a valid \(name): expected \(expected)"
        case .methodNotAllowed(let method): "\(method) is not served: the API is read-only (actions are commits)"
        case .notPublishedYet(let name): "repository '\(name)' has not been read yet; try again after its first pass"
        }
    }
}
