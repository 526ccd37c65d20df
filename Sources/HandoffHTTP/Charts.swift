import HandoffCore

/// SVG charts generated on the server: plain markup, no script, readable at any width (viewBox scaling).
/// Every label is escaped here, since the charts are embedded unescaped in the pages.
enum Charts {
    /// A colour per state, shared with the stylesheet.
    static func colour(_ state: PacketState) -> String {
        switch state {
        case .draft: "#9aa5b1"
        case .ready: "#2f80ed"
        case .inProgress: "#f2a93b"
        case .inReview: "#9b51e0"
        case .delivered: "#27ae60"
        case .cancelled: "#c0392b"
        }
    }

    /// `text` with `& < > " '` replaced by entities: safe in HTML text and attribute values.
    static func escape(_ text: String) -> String {
        let special: Set<UInt8> = [UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'")]
        if !text.utf8.contains(where: special.contains) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// One stacked bar of packets per state.
    static func stateBar(_ counts: [(state: PacketState, count: Int)]) -> String {
        let total = counts.reduce(0) { $0 + $1.count }
        var svg = ##"<svg class="bar" viewBox="0 0 600 20" preserveAspectRatio="none" role="img" aria-label="packets by state">"##
        guard total > 0 else { return svg + ##"<rect width="600" height="20" fill="#e5e8eb"/></svg>"## }
        var x = 0.0
        for (state, count) in counts where count > 0 {
            let width = 600.0 * Double(count) / Double(total)
            svg +=
                ##"<rect x="\##(format(x))" width="\##(format(width))" height="20" fill="\##(colour(state))"><title>\##(escape(state.rawValue)): \##(count)</title></rect>"##
            x += width
        }
        return svg + "</svg>"
    }

    /// Per week, three bars: became ready, claimed, delivered (the last 26 weeks with events).
    static func weekly(_ weeks: [WeekFlow]) -> String {
        let shown = Array(filled(weeks).suffix(26))
        guard !shown.isEmpty else { return "" }
        let height = 180.0
        let top = max(1, shown.map { max($0.becameReady, $0.claimed, $0.delivered) }.max() ?? 1)
        let slot = 600.0 / Double(shown.count)
        let bar = max(1, slot / 4)
        var svg = ##"<svg class="chart" viewBox="0 0 600 230" role="img" aria-label="packets per week: became ready, claimed, delivered">"##
        svg += ##"<line x1="0" y1="\##(format(height))" x2="600" y2="\##(format(height))" stroke="#666"/>"##
        svg += ##"<text x="2" y="12" class="axis">\##(top)</text>"##
        for (index, week) in shown.enumerated() {
            let x = Double(index) * slot + slot / 8
            let series: [(Int, String, String)] = [
                (week.becameReady, colour(.ready), "became ready"), (week.claimed, colour(.inProgress), "claimed"),
                (week.delivered, colour(.delivered), "delivered"),
            ]
            for (offset, (value, fill, name)) in series.enumerated() {
                let h = height * Double(value) / Double(top)
                svg +=
                    ##"<rect x="\##(format(x + Double(offset) * bar))" y="\##(format(height - h))" width="\##(format(bar))" height="\##(format(h))" fill="\##(fill)"><title>\##(escape(week.week)) \##(name): \##(value)</title></rect>"##
            }
            if shown.count <= 8 || index % max(1, shown.count / 6) == 0 {
                svg += ##"<text x="\##(format(x))" y="\##(format(height + 16))" class="axis">\##(escape(String(week.week.dropFirst(5))))</text>"##
            }
        }
        svg += ##"<rect x="0" y="212" width="10" height="10" fill="\##(colour(.ready))"/><text x="14" y="221" class="axis">became ready</text>"##
        svg += ##"<rect x="130" y="212" width="10" height="10" fill="\##(colour(.inProgress))"/><text x="144" y="221" class="axis">claimed</text>"##
        svg += ##"<rect x="230" y="212" width="10" height="10" fill="\##(colour(.delivered))"/><text x="244" y="221" class="axis">delivered</text>"##
        return svg + "</svg>"
    }

    /// `weeks` with the quiet weeks between the first and the last put back (with zeros), so that time runs evenly.
    static func filled(_ weeks: [WeekFlow]) -> [WeekFlow] {
        guard let first = weeks.first.flatMap({ UTCTime("\($0.week)T00:00:00Z") }), let last = weeks.last.flatMap({ UTCTime("\($0.week)T00:00:00Z") })
        else { return weeks }
        let known = Dictionary(weeks.map { ($0.week, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [WeekFlow] = []
        var seconds = first.seconds
        while seconds <= last.seconds, result.count < 520 {
            let week = UTCTime(seconds: seconds).weekStart
            result.append(known[week] ?? WeekFlow(week: week, becameReady: 0, claimed: 0, delivered: 0))
            seconds += 7 * 86_400
        }
        return result
    }

    /// Delivered packets by lead time: a histogram over fixed buckets.
    static func leadTimes(_ packets: [PacketFlow]) -> String {
        let buckets: [(String, Int64)] = [
            ("< 1 d", 86_400), ("1–3 d", 3 * 86_400), ("3–7 d", 7 * 86_400), ("1–2 w", 14 * 86_400), ("2–4 w", 28 * 86_400), ("> 4 w", .max),
        ]
        var counts = Array(repeating: 0, count: buckets.count)
        for lead in packets.compactMap(\.leadTime) {
            counts[buckets.firstIndex { lead < $0.1 } ?? buckets.count - 1] += 1
        }
        guard counts.contains(where: { $0 > 0 }) else { return "" }
        let top = Double(counts.max() ?? 1)
        let slot = 600.0 / Double(buckets.count)
        var svg = ##"<svg class="chart" viewBox="0 0 600 160" role="img" aria-label="delivered packets by lead time">"##
        for (index, (label, _)) in buckets.enumerated() {
            let h = 105.0 * Double(counts[index]) / top
            let x = Double(index) * slot + slot * 0.15
            svg +=
                ##"<rect x="\##(format(x))" y="\##(format(125 - h))" width="\##(format(slot * 0.7))" height="\##(format(h))" fill="\##(colour(.delivered))"><title>\##(label): \##(counts[index])</title></rect>"##
            svg += ##"<text x="\##(format(x))" y="142" class="axis">\##(label)</text>"##
            svg += ##"<text x="\##(format(x))" y="\##(format(121 - h))" class="axis">\##(counts[index])</text>"##
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
    }
}
