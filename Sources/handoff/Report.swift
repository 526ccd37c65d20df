import ArgumentParser
import Foundation
import HandoffCore
import HandoffEngine

/// Output format of `report` and `triage`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// The published status of the current clone, read as handoffd's HTTP server reads it.
func publishedSnapshot() throws -> PublishedRepository {
    let clone = try openClone()
    if let stale = try staleness(clone) { FileHandle.standardError.write(Data((stale + "\n").utf8)) }
    let branch = clone.shortBranch
    return try PublishedSnapshotReader.read(
        clone.repository, name: branch, branch: branch, statusReference: clone.branch, commit: clone.statusCommit ?? clone.head)
}

/// `handoff report`: flow figures from the published histories, the same as handoffd's `/v1/…/flow`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Print flow figures (lead time, waits, review rounds, readiness at claim; per packet, team and week) from the status on this branch.")

    @Option(help: "Output format: text, json (as the HTTP API's flow route) or markdown.")
    var format: ReportFormat = .text

    func run() throws {
        let report = try publishedSnapshot().flow
        switch format {
        case .json: print(try encodeJSON(FlowJSON(report)))
        case .markdown: print(Self.markdown(report), terminator: "")
        case .text: print(Self.text(report), terminator: "")
        }
    }

    static func time(_ seconds: Int64?) -> String { seconds.map(FlowFigures.duration) ?? "—" }

    static func markdown(_ report: FlowReport) -> String {
        func cell(_ text: String) -> String { safe(text).replacingOccurrences(of: "|", with: "\\|") }
        var out = "# Flow\n\nOpen stays measured up to \(cell(report.asOf ?? "—")).\n\n## Per client team (medians)\n\n"
        out += "| team | packets | delivered | lead time | waiting ready | in progress | in review | review rounds | readiness at claim |\n"
        out += "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        for team in report.teams {
            out +=
                "| \(cell(team.client)) | \(team.packets) | \(team.delivered) | \(time(team.medianLeadTime)) | \(time(team.medianWaitingReady)) | "
                + "\(time(team.medianInProgress)) | \(time(team.medianInReview)) | \(team.reviewRounds) | \(team.medianReadinessAtClaim.map { "\($0)" } ?? "—") |\n"
        }
        out += "\n## Per week\n\n| week of | became ready | claimed | delivered |\n| --- | --- | --- | --- |\n"
        for week in report.weeks { out += "| \(week.week) | \(week.becameReady) | \(week.claimed) | \(week.delivered) |\n" }
        out +=
            "\n## Per packet\n\n| packet | state | team | lead time | waiting ready | in progress | in review | review rounds | readiness at claim |\n"
        out += "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        for flow in report.packets {
            out +=
                "| \(flow.id) | \(flow.state.rawValue) | \(cell(flow.client ?? "—")) | \(time(flow.leadTime)) | \(time(flow.waitingReady)) | "
                + "\(time(flow.inProgress)) | \(time(flow.inReview)) | \(flow.reviewRounds) | \(flow.readinessAtClaim.map { "\($0)" } ?? "—") |\n"
        }
        return out
    }

    static func text(_ report: FlowReport) -> String {
        var out = "flow up to \(safe(report.asOf ?? "—"))\nper client team (medians):\n"
        for team in report.teams {
            out +=
                "  \(safe(team.client)): \(team.packets) packet(s), \(team.delivered) delivered; lead \(time(team.medianLeadTime)), "
                + "waiting ready \(time(team.medianWaitingReady)), in progress \(time(team.medianInProgress)), in review \(time(team.medianInReview)), "
                + "\(team.reviewRounds) review round(s), readiness at claim \(team.medianReadinessAtClaim.map { "\($0)" } ?? "—")\n"
        }
        out += "per week (became ready / claimed / delivered):\n"
        for week in report.weeks { out += "  \(week.week)  \(week.becameReady) / \(week.claimed) / \(week.delivered)\n" }
        out += "per packet:\n"
        for flow in report.packets {
            out +=
                "  \(flow.id)  \(flow.state.rawValue)  lead \(time(flow.leadTime))  ready \(time(flow.waitingReady))  "
                + "in progress \(time(flow.inProgress))  in review \(time(flow.inReview))  rounds \(flow.reviewRounds)  "
                + "readiness at claim \(flow.readinessAtClaim.map { "\($0)" } ?? "—")\n"
        }
        return out
    }
}

/// `handoff triage`: open packets ranked by what blocks them, each with its next action and who must take it.
struct TriageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract:
            "Rank open packets by what blocks them (not ready, ongoing scope, unmet depends_on, waiting for review), with the next action and who must take it."
    )

    @Option(help: "Output format: text, json (as the HTTP API's triage route) or markdown.")
    var format: ReportFormat = .text

    func run() throws {
        let items = try publishedSnapshot().triage
        switch format {
        case .json: print(try encodeJSON(TriageJSON(items)))
        case .markdown:
            var out = "| # | packet | blocker | next action | who | waiting |\n| --- | --- | --- | --- | --- | --- |\n"
            for (index, item) in items.enumerated() {
                let cells = [item.blocker.name, item.nextAction, item.owner.text].map { safe($0).replacingOccurrences(of: "|", with: "\\|") }
                out += "| \(index + 1) | \(item.id) | \(cells[0]) | \(cells[1]) | \(cells[2]) | \(FlowFigures.duration(item.waiting)) |\n"
            }
            print(out, terminator: "")
        case .text:
            if items.isEmpty { print("nothing open") }
            for (index, item) in items.enumerated() {
                print("\(index + 1). \(item.id) [\(item.blocker.name)] \(safe(item.title))")
                print("   next: \(safe(item.nextAction))")
                print("   who:  \(safe(item.owner.text)); \(item.state.rawValue) for \(FlowFigures.duration(item.waiting))")
            }
        }
    }
}
