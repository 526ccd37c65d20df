import Foundation
import Logging
import Testing

@testable import HandoffDaemon

/// The log line handoffd writes: priority prefixes for journald, timestamps anywhere else.
@Suite("Log lines")
struct LogLineTests {
    static let date = Date(timeIntervalSince1970: 1_796_206_502.125)

    @Test("under journald a line starts with its syslog priority and carries no timestamp (journald stamps it)")
    func journal() {
        let line = JournalLogHandler.line(
            label: "handoffd", level: .warning, message: "cannot process /srv/a.git", metadata: ["repository": "a"], style: .journal,
            at: Self.date)
        #expect(line == "<4>handoffd: cannot process /srv/a.git repository=a\n")
    }

    @Test("elsewhere a line starts with a UTC RFC 3339 timestamp and the level's name; newlines never split a line")
    func timestamped() {
        let line = JournalLogHandler.line(
            label: "handoffd", level: .notice, message: "published status\nabc", metadata: ["folded": "3", "note": "a b"],
            style: .timestamped, at: Self.date)
        #expect(line == "2026-12-02T10:15:02.125Z notice handoffd: published status abc folded=3 note=\"a b\"\n")
    }

    @Test("a JOURNAL_STREAM inherited by a process whose stderr is not that stream does not count as journald")
    func inheritedStream() {
        // The test runner's stderr is not a journal stream, whatever the environment says.
        #expect(JournalLogHandler.style == .timestamped || ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil)
    }

    @Test("control characters in a message or metadata are escaped: input cannot forge a priority, a line or a terminal sequence")
    func controlCharacters() {
        let line = JournalLogHandler.line(
            label: "handoffd", level: .info, message: "poke for 'x\r<2>handoffd: forged\u{1B}[2J'", metadata: ["note": "a\u{07}b"],
            style: .journal, at: Self.date)
        #expect(line == "<6>handoffd: poke for 'x\\r<2>handoffd: forged\\x1B[2J' note=a\\x07b\n")
        let unquoted = JournalLogHandler.line(
            label: "handoffd", level: .info, message: "poke for \u{1B}[2Jdemo\r<2>handoffd: fake", metadata: ["name": "a\u{7}"],
            style: .journal, at: Self.date)
        #expect(unquoted == "<6>handoffd: poke for \\x1B[2Jdemo\\r<2>handoffd: fake name=a\\x07\n")
    }
}
