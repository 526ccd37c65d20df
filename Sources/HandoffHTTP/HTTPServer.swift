import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// handoffd's HTTP server: Hummingbird 2 answering every request through ``HandoffWeb``, run as a
/// swift-service-lifecycle service beside the workers and stopped gracefully with them.
public struct HTTPServer: Service {
    /// Where to listen.
    public enum Address: Sendable, Hashable {
        /// A TCP host and port (port 0 picks a free one, which `onListening` reports).
        case tcp(host: String, port: Int)
        /// A Unix stream socket path.
        case unixSocket(String)
    }

    private let application: Application<Responder>

    /// A server over `store` at `address`. A connection idle (or sending its request) for longer than
    /// `requestTimeout` seconds is closed; answering never waits on anything but the store.
    /// `onListening` is called with the bound address (`host:port`, or the socket path) once it listens.
    public init(
        store: SnapshotStore, address: Address, requestTimeout: Double, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let bind: BindAddress =
            switch address {
            case .tcp(let host, let port): .hostname(host, port: port)
            case .unixSocket(let path): .unixDomainSocket(path: path)
            }
        var logger = logger
        // Hummingbird logs each request at debug; handoffd's own level decides.
        logger[metadataKey: "component"] = "http"
        application = Application(
            responder: Responder(web: HandoffWeb(store: store)),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(requestTimeout * 1000)))),
            configuration: ApplicationConfiguration(address: bind, serverName: "handoffd"),
            onServerRunning: { channel in
                if let address = channel.localAddress {
                    onListening(address.port.map { "\(address.ipAddress ?? "127.0.0.1"):\($0)" } ?? address.pathname ?? "\(address)")
                }
            },
            logger: logger)
    }

    /// Serves until a graceful shutdown, then lets the requests in progress finish.
    public func run() async throws {
        try await application.run()
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let web: HandoffWeb

        @Sendable func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
            var query: [String: String] = [:]
            // Hummingbird has already percent-decoded the values.
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            let method = request.method == .head ? "GET" : request.method.rawValue
            let answer = web.answer(method: method, path: request.uri.path, query: query)
            var headers = HTTPFields()
            headers[.contentType] = answer.contentType
            headers[.cacheControl] = "no-store"
            headers[.init("X-Content-Type-Options")!] = "nosniff"
            if answer.contentType.hasPrefix("text/html") {
                headers[.init("Content-Security-Policy")!] =
                    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'"
            }
            let body = ByteBuffer(string: answer.body)
            headers[.contentLength] = "\(body.readableBytes)"
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: headers,
                body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: body))
        }
    }
}
