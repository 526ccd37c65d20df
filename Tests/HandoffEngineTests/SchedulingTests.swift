import Foundation
import HandoffDaemon
import Testing

@Suite("Scheduling")
struct SchedulingTests {
    @Test("pokes during a run coalesce into exactly one more run")
    func coalescing() {
        let coalescer = RunCoalescer()
        #expect(coalescer.poke())
        for _ in 0..<10 { #expect(!coalescer.poke()) }
        #expect(coalescer.finished())   // one more run for all ten pokes
        #expect(!coalescer.finished())  // then idle
        #expect(coalescer.poke())
        #expect(!coalescer.finished())
    }

    @Test("backoff doubles from its base, stays within its bound and jitter, and resets on success")
    func backoff() {
        var generator = SystemRandomNumberGenerator()
        var backoff = Backoff(base: 2, limit: 60)
        let delays = (0..<8).map { _ in backoff.failed(using: &generator) }
        #expect((1.6...2.4).contains(delays[0]))
        #expect((3.2...4.8).contains(delays[1]))
        #expect(delays.allSatisfy { $0 <= 72 })
        backoff.succeeded()
        #expect(backoff.failures == 0)
        #expect((1.6...2.4).contains(backoff.failed(using: &generator)))
    }
}

@Suite("Shipped configuration")
struct ShippedConfigurationTests {
    @Test("Config/handoffd.yaml, the documented example, is a valid configuration")
    func exampleParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/handoffd.yaml").path
        let configuration = try DaemonConfiguration.load(path)
        #expect(configuration.repositories.map(\.name) == ["specs"])
        #expect(configuration.pollInterval == 2)
        #expect(configuration.notifySocket == "/run/handoffd/notify.sock")
        #expect(configuration.signingKey == "/var/lib/handoff/handoffd_ed25519")
    }
}
