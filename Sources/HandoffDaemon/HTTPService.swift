import Glibc
public import HandoffConfiguration
public import HandoffHTTP
public import Logging
public import ServiceLifecycle

/// The HTTP server as handoffd runs it: beside the workers in the same `ServiceGroup`, stopped gracefully
/// with them. A server that cannot listen (the port taken, a socket path not writable) is logged at error
/// level and handoffd goes on publishing status without it: the dashboard is a view, git is the interface.
public struct HTTPService: Service {
    private let server: HTTPServer
    private let address: HTTPListenAddress
    private let logger: Logger

    /// The server for `configuration`'s `http.listen` over `store`; nil when the key is unset.
    public init?(configuration: DaemonConfiguration, store: SnapshotStore, logger: Logger) {
        guard let address = configuration.httpListen else { return nil }
        self.address = address
        self.logger = logger
        let serverAddress: HTTPServer.Address =
            switch address {
            case .tcp(let host, let port): .tcp(host: host, port: port)
            case .unixSocket(let path): .unixSocket(path)
            }
        server = HTTPServer(
            store: store, address: serverAddress, requestTimeout: configuration.httpRequestTimeout, logger: logger,
            onListening: { bound in
                let shown = if case .unixSocket = address { "unix:\(bound)" } else { "http://\(bound)/" }
                logger.notice("dashboard and read API at \(shown)")
            })
    }

    /// Serves until the group shuts down gracefully.
    public func run() async throws {
        // A socket file left by a previous run would refuse the bind; only a socket is removed, never a file.
        if case .unixSocket(let path) = address {
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
        }
        do {
            try await server.run()
        } catch {
            let hint =
                if case .tcp = address {
                    " (under the shipped systemd unit, which has no network, listen on a Unix socket such as /run/handoffd/http.sock "
                        + "or install the handoffd-http.conf drop-in)"
                } else { "" }
            logger.error("HTTP server at \(address) did not start: \(error)\(hint); handoffd goes on publishing status without it")
            try? await gracefulShutdown()
        }
    }
}
