import Foundation
import Git
import GitTestSupport
import HandoffConfiguration
import HandoffEngine
import Testing

@testable import HandoffDaemon

@Suite("Scheduling")
struct SchedulingTests {
    @Test("pokes during a run coalesce into exactly one more run")
    func coalescing() {
        var schedule = WorkerSchedule(now: MonotonicInstant(seconds: 0), generator: SystemRandomNumberGenerator())
        let now = MonotonicInstant(seconds: 0)
        #expect(schedule.handle(.poke, at: now) == [.startRun])
        for _ in 0..<10 { #expect(schedule.handle(.poke, at: now) == []) }
        #expect(schedule.handle(.runFinished(.succeeded), at: now).contains(.startRun))  // one more run for all ten pokes
        #expect(schedule.handle(.runFinished(.succeeded), at: now) == [])  // then idle
        #expect(schedule.handle(.poke, at: now) == [.startRun])
        #expect(!schedule.handle(.runFinished(.succeeded), at: now).contains(.startRun))
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

@Suite("Housekeeping")
struct HousekeepingTests {
    @Test("every Nth status commit starts git gc --auto in the background, one at a time")
    func gcAfterInterval() throws {
        let sandbox = try Sandbox()
        let bare = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: bare)
        // Make gc --auto find work: it samples objects/17 and needs more loose objects there than
        // gc.auto/256 (here: at least 2), so write loose blobs until that is so.
        try sandbox.git(["config", "gc.auto", "1"], in: bare)
        let repository = try Repository.open(at: bare)
        var counter = 0
        while ((try? FileManager.default.contentsOfDirectory(atPath: "\(bare)/objects/17"))?.count ?? 0) < 2 {
            _ = try repository.writeBlob(Data("blob \(counter)".utf8))
            counter += 1
        }
        let housekeeping = Housekeeping(interval: 3)
        #expect(!housekeeping.published(in: bare) { _ in })
        #expect(!housekeeping.published(in: bare) { _ in })
        #expect(housekeeping.published(in: bare) { _ in })
        #expect(eventually { !housekeeping.isRunning })
        let packs = try FileManager.default.contentsOfDirectory(atPath: "\(bare)/objects/pack").filter { $0.hasSuffix(".pack") }
        #expect(!packs.isEmpty, "git gc --auto packed the loose objects")
    }
}
