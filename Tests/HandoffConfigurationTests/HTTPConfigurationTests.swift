import HandoffConfiguration
import Testing

@Suite("http section of handoffd.yaml")
struct HTTPConfigurationTests {
    static let base = """
        identity: {email: handoffd@acme.example}
        state_directory: /var/lib/handoff
        repositories:
          - name: specs
            path: /srv/git/specs.git
            operators: [ops@acme.example]

        """

    @Test("http.listen takes HOST:PORT, [IPv6]:PORT or a socket path; off or unset serves nothing")
    func listen() throws {
        #expect(try DaemonConfiguration.parse(Self.base, file: "h.yaml").httpListen == nil)
        let tcp = try DaemonConfiguration.parse(Self.base + "http:\n  listen: 127.0.0.1:8420\n  request_timeout: 2.5\n", file: "h.yaml")
        #expect(tcp.httpListen == .tcp(host: "127.0.0.1", port: 8420) && tcp.httpRequestTimeout == 2.5)
        #expect(try DaemonConfiguration.parse(Self.base + "http: {listen: \"[::1]:0\"}\n", file: "h.yaml").httpListen == .tcp(host: "::1", port: 0))
        #expect(
            try DaemonConfiguration.parse(Self.base + "http: {listen: /run/handoffd/http.sock}\n", file: "h.yaml").httpListen
                == .unixSocket(path: "/run/handoffd/http.sock"))
        #expect(try DaemonConfiguration.parse(Self.base + "http: {listen: \"off\"}\n", file: "h.yaml").httpListen == nil)
        let overridden = try DaemonConfiguration.parse(
            Self.base + "http: {listen: 127.0.0.1:8420}\n", file: "h.yaml", environment: ["HANDOFFD_HTTP_LISTEN": "off"])
        #expect(overridden.httpListen == nil)
        #expect(HTTPListenAddress("[::1]:80")?.description == "[::1]:80")
    }

    @Test(
        "a bad http value names its line and key",
        arguments: [
            ("http: {listen: localhost}\n", "h.yaml:7: http.listen: 'localhost' is neither HOST:PORT"),
            ("http: {listen: \"127.0.0.1:70000\"}\n", "h.yaml:7: http.listen: '127.0.0.1:70000' is neither HOST:PORT"),
            ("http: {request_timeout: 0}\n", "h.yaml:7: http.request_timeout: '0' must be a number of seconds from 0.1 to 600"),
            ("http: {port: 80}\n", "h.yaml:7: http.port: unknown key"),
        ])
    func errors(_ text: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(Self.base + text, file: "h.yaml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }
}
