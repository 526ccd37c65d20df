import Foundation
import HandoffCore
import Mustache

/// The dashboard's pages: server-rendered HTML through swift-mustache, no JavaScript. Every value that
/// comes from git goes through `{{…}}`, which escapes it; `{{{…}}}` is used only for the layout's content,
/// the SVG charts and the board's rows, all built here from escaped parts (`Charts.escape`).
struct Pages: Sendable {
    /// Rows shown per state on a board page; the rest are a click away, a page at a time.
    static let rowsPerState = 50
    /// Packets listed on the flow page.
    static let flowRows = 200

    private let library: MustacheLibrary

    init() {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in Self.all {
            // The templates are constants of this file's module: one that does not parse is a programming error.
            do {
                templates[name] = try MustacheTemplate(string: text)
            } catch {
                preconditionFailure("template \(name): \(error)")
            }
        }
        library = MustacheLibrary(templates: templates)
    }

    private func page(_ template: String, title: String, repository: String? = nil, _ context: [String: Any]) -> String {
        let content = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "content": content]
        if let repository { layout["repository"] = repository }
        return library.render(layout, withTemplate: "layout") ?? content
    }

    func home(_ repositories: [(name: String, entry: SnapshotStore.Entry)]) -> String {
        let rows: [[String: Any]] = repositories.map { name, entry in
            let counts = entry.snapshot?.counts ?? PacketState.allCases.map { ($0, 0) }
            var row: [String: Any] = [
                "name": name, "chart": Charts.stateBar(counts), "published": entry.snapshot?.publishedAt ?? "not read yet",
                "total": entry.snapshot?.packets.count ?? 0,
            ]
            if let stall = entry.stall { row["stall"] = stall }
            if !entry.firstPassDone { row["waiting"] = true }
            return row
        }
        return page("home", title: "Handoff", ["repositories": rows, "none": rows.isEmpty])
    }

    func board(_ snapshot: PublishedRepository, query: [String: String]) -> String {
        var byState: [PacketState: [PublishedPacket]] = [:]
        for packet in snapshot.packets { byState[packet.status.state, default: []].append(packet) }
        let only = query["state"].flatMap(PacketState.init(rawValue:))
        let offset = max(0, Int(query["offset"] ?? "") ?? 0)
        let columns: [[String: Any]] = PacketState.allCases.compactMap { state in
            if let only, only != state { return nil }
            let all = byState[state] ?? []
            let start = only == nil ? 0 : min(offset, all.count)
            let shown = all[start..<min(all.count, start + Self.rowsPerState)]
            var column: [String: Any] = [
                "state": state.rawValue, "label": Self.label(state), "count": all.count,
                "rows": Self.boardRows(shown, repository: snapshot.name),
            ]
            if start + shown.count < all.count { column["next"] = "?state=\(state.rawValue)&offset=\(start + shown.count)" }
            if start > 0 { column["previous"] = "?state=\(state.rawValue)&offset=\(max(0, start - Self.rowsPerState))" }
            if only != nil { column["whole"] = true }
            return column
        }
        return page(
            "board", title: "\(snapshot.name): board", repository: snapshot.name,
            [
                "name": snapshot.name, "columns": columns, "commit": String((snapshot.statusCommit ?? "").prefix(12)),
                "published": snapshot.publishedAt ?? "—", "chart": Charts.stateBar(snapshot.counts), "filtered": only != nil,
            ])
    }

    func packet(_ packet: PublishedPacket, in snapshot: PublishedRepository) -> String {
        let status = packet.status
        var files: [String: [Finding]] = [:]
        for finding in status.findings { files[finding.file, default: []].append(finding) }
        let findingGroups: [[String: Any]] = files.keys.sorted().map { file in
            [
                "file": file,
                "findings": (files[file] ?? []).sorted { ($0.line, $0.column ?? 0) < ($1.line, $1.column ?? 0) }.map { finding -> [String: Any] in
                    var row: [String: Any] = [
                        "severity": finding.severity.rawValue, "rule": finding.rule, "message": finding.message, "hint": finding.hint,
                    ]
                    if finding.line > 0 { row["line"] = finding.column.map { "\(finding.line):\($0)" } ?? "\(finding.line)" }
                    return row
                },
            ]
        }
        let criteria: [[String: Any]] = packet.criteria.map { criterion in
            [
                "id": criterion.id ?? "(no id)", "text": criterion.text, "line": criterion.line,
                "evidence": criterion.evidence.map { ["kind": $0.kindName, "value": $0.text] }, "missing": criterion.evidence.isEmpty,
            ]
        }
        let history: [[String: Any]] = status.history.reversed().map { entry in
            var row: [String: Any] = [
                "at": entry.at.replacingOccurrences(of: "T", with: " "), "action": entry.action, "by": entry.by,
                "commit": String(entry.commit.prefix(10)), "outcome": outcomeName(entry.outcome),
            ]
            if !entry.note.isEmpty { row["note"] = entry.note }
            if entry.from != entry.to { row["change"] = "\(entry.from?.rawValue ?? "new") → \(entry.to?.rawValue ?? "—")" }
            return row
        }
        var context: [String: Any] = [
            "repository": snapshot.name, "id": status.id.rawValue, "title": status.title, "state": status.state.rawValue,
            "label": Self.label(status.state), "since": status.since, "assignee": status.assignee ?? "—",
            "reviewers": status.reviewers.isEmpty ? "—" : status.reviewers.joined(separator: ", "), "round": status.round,
            "score": status.score, "errors": status.errors, "warnings": status.warnings, "specRevision": status.specRevision,
            "client": packet.client ?? "—", "scope": packet.scope?.rawValue ?? "—", "criteria": criteria, "noCriteria": criteria.isEmpty,
            "findingGroups": findingGroups, "noFindings": findingGroups.isEmpty, "history": history,
            "deliveryNote": packet.hasDeliveryNote,
        ]
        if !status.dependsOn.isEmpty { context["dependsOn"] = status.dependsOn.joined(separator: ", ") }
        if status.blocked { context["blocked"] = true }
        return page("packet", title: "\(status.id.rawValue): \(status.title)", repository: snapshot.name, context)
    }

    func flow(_ snapshot: PublishedRepository) -> String {
        let report = snapshot.flow
        func time(_ seconds: Int64?) -> String { seconds.map(FlowFigures.duration) ?? "—" }
        let teams: [[String: Any]] = report.teams.map { team in
            [
                "client": team.client, "packets": team.packets, "delivered": team.delivered, "lead": time(team.medianLeadTime),
                "ready": time(team.medianWaitingReady), "progress": time(team.medianInProgress), "review": time(team.medianInReview),
                "rounds": team.reviewRounds, "score": team.medianReadinessAtClaim.map { "\($0)" } ?? "—",
            ]
        }
        let packets: [[String: Any]] = report.packets.prefix(Self.flowRows).map { flow in
            [
                "id": flow.id.rawValue, "state": flow.state.rawValue, "client": flow.client ?? "—", "lead": time(flow.leadTime),
                "ready": time(flow.waitingReady), "progress": time(flow.inProgress), "review": time(flow.inReview),
                "rounds": flow.reviewRounds, "score": flow.readinessAtClaim.map { "\($0)" } ?? "—",
            ]
        }
        return page(
            "flow", title: "\(snapshot.name): flow", repository: snapshot.name,
            [
                "name": snapshot.name, "asOf": report.asOf ?? "—", "chart": Charts.weekly(report.weeks),
                "leadChart": Charts.leadTimes(report.packets), "teams": teams, "packets": packets,
                "more": report.packets.count > Self.flowRows ? report.packets.count - Self.flowRows : 0,
                "hasMore": report.packets.count > Self.flowRows, "noWeeks": report.weeks.isEmpty,
                "noLead": !report.packets.contains { $0.leadTime != nil },
            ])
    }

    func triage(_ snapshot: PublishedRepository) -> String {
        let items: [[String: Any]] = snapshot.triage.prefix(Self.flowRows).enumerated().map { index, item in
            [
                "rank": index + 1, "id": item.id.rawValue, "title": item.title, "state": item.state.rawValue, "blocker": item.blocker.name,
                "blockerLabel": item.blocker.name.replacingOccurrences(of: "_", with: " "), "action": item.nextAction,
                "who": item.owner.text, "waiting": FlowFigures.duration(item.waiting),
            ]
        }
        return page(
            "triage", title: "\(snapshot.name): triage", repository: snapshot.name,
            ["name": snapshot.name, "items": items, "none": items.isEmpty])
    }

    func events(_ snapshot: PublishedRepository, page request: PageRequest) -> String {
        let events: [[String: Any]] = snapshot.events[request.range].map { event in
            ["at": event.at.replacingOccurrences(of: "T", with: " "), "event": event.event, "by": event.by, "note": event.note]
        }
        var context: [String: Any] = ["name": snapshot.name, "events": events, "none": events.isEmpty, "total": request.total]
        if request.range.upperBound < request.total { context["next"] = "?offset=\(request.range.upperBound)&limit=\(request.limit)" }
        return page("events", title: "\(snapshot.name): events", repository: snapshot.name, context)
    }

    func problem(_ problem: WebProblem) -> String {
        page("problem", title: problem.title, ["title": problem.title, "detail": problem.detail, "status": problem.status])
    }

    /// A board column's packets as HTML, written directly (a column holds up to ``rowsPerState`` of them, and
    /// template lookups per field cost more than the rest of the request): every value escaped.
    static func boardRows(_ packets: ArraySlice<PublishedPacket>, repository: String) -> String {
        let escape = Charts.escape
        var html = ""
        html.reserveCapacity(packets.count * 400)
        for packet in packets {
            let status = packet.status
            let id = escape(status.id.rawValue)
            html += #"<a class="packet s-\#(status.state.rawValue)" href="/r/\#(escape(repository))/packets/\#(id)"><strong>\#(id)</strong>"#
            if status.blocked { html += #"<span class="badge blocked">blocked</span>"# }
            if packet.scope == .ongoing { html += #"<span class="badge ongoing">ongoing</span>"# }
            if status.errors > 0 { html += #"<span class="badge error">\#(status.errors) errors</span>"# }
            html += #"<span class="title">\#(escape(status.title.isEmpty ? status.id.rawValue : status.title))</span><span class="muted">"#
            if let assignee = status.assignee { html += escape(assignee) + " · " }
            html += "since \(escape(String(status.since.prefix(10)))) · readiness \(status.score)</span></a>\n"
        }
        return html
    }

    static func label(_ state: PacketState) -> String { state.rawValue.replacingOccurrences(of: "_", with: " ") }
}
