import Testing

@testable import HandoffEngine

/// What handoffd logs of a run: a catch-up over thousands of packets must not write one enormous journal line.
@Suite("Processing result")
struct ProcessingResultTests {
    @Test("the change summary names the first packets and counts the rest")
    func changeSummary() {
        var result = ProcessingResult(processedTip: nil, statusCommit: nil, foldedCommits: 3, changes: ["A-1: ready", "A-2: draft"])
        #expect(result.changeSummary() == "A-1: ready, A-2: draft")
        result.changes = (0..<2_000).map { "SYN-\($0): delivered" }
        let line = result.changeSummary()
        #expect(line.hasPrefix("SYN-0: delivered, SYN-1: delivered"))
        #expect(line.hasSuffix("SYN-19: delivered and 1980 more packets"))
        #expect(line.utf8.count < 1_000)
    }
}
