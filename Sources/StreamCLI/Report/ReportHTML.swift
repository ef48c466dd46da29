import StreamCore

/// `--format html`: one self-contained page (no script, nothing fetched: no URL at all) with
/// inline SVG charts (bytes per hour, stream against poll, per group; changes per hour per
/// stream) above the report's tables. Every string from the archive is escaped.
enum ReportHTML {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    static func render(_ report: ArchiveReport) -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>streamtop report \(report.period.since.iso8601) to \(report.period.until.iso8601)</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin-bottom: 2em; }
            th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            svg { display: block; margin-bottom: 1.5em; }
            svg text { font-size: 11px; fill: #333; }
            </style>
            </head>
            <body>
            <h1>streamtop report</h1>
            <p>\(escape(ReportTable.heading(report)))</p>

            """
        let labels = report.hours.map { hourLabel($0) }
        let grouped = report.groups.filter { $0.streamed != nil || $0.polled != nil }
        if !grouped.isEmpty {
            page += "<h2>Bytes per hour: stream against poll</h2>\n"
            for group in grouped {
                var series: [Series] = []
                if let streamed = group.streamed {
                    series.append(Series(
                        label: "streamed (\(streamed.id))", color: palette[0], values: streamed.hourlyWireBytes))
                }
                if let polled = group.polled {
                    series.append(Series(
                        label: "polled (\(polled.id))", color: palette[1], values: polled.hourlyWireBytes))
                }
                page += "<h3>group \(escape(group.name))</h3>\n"
                page += Chart(labels: labels, series: series, unit: { HumanUnits.bytes(Int($0)) }).bars() + "\n"
            }
        }
        page += "<h2>Changes per hour</h2>\n"
        let changes = report.streams.enumerated().map { index, stream in
            Series(label: stream.id, color: palette[index % palette.count], values: stream.hourlyChanges)
        }
        page += Chart(labels: labels, series: changes, unit: { HumanUnits.count($0) }).lines() + "\n"
        page += tables(report)
        page += "</body>\n</html>\n"
        return page
    }

    /// The groups and streams, by the fields of the CSV and JSON forms.
    private static func tables(_ report: ArchiveReport) -> String {
        var html = ""
        if !report.groups.isEmpty {
            html += "<h2>Groups</h2>\n" + table(
                header: ReportFields.groups.map(\.key),
                rows: report.groups.map { group in ReportFields.groups.map { display($0.value(group)) } })
        }
        html += "<h2>Streams</h2>\n" + table(
            header: ReportFields.streams.map(\.key),
            rows: report.streams.map { stream in ReportFields.streams.map { display($0.value(stream)) } })
        return html
    }

    private static func display(_ cell: ReportCell) -> String {
        switch cell {
        case .integer(let value): return String(value)
        case .number(let value):
            guard let value else { return "—" }
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format3(value))
        case .text(let value): return value ?? "—"
        }
    }

    private static func format3(_ value: Double) -> String {
        let thousandths = Int64((value * 1000).rounded())
        let sign = thousandths < 0 ? "-" : ""
        let magnitude = abs(thousandths)
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    private static func table(header: [String], rows: [[String]]) -> String {
        var html = "<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows { html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
        return html + "</table>\n"
    }

    /// `12-01 09h`.
    static func hourLabel(_ time: UTCTime) -> String {
        let date = time.dateString
        let hour = Int(time.secondsSinceEpoch.truncatingRemainder(dividingBy: 86_400) / 3600)
        return String(date.dropFirst(5)) + " " + (hour < 10 ? "0" : "") + String(hour) + "h"
    }

    /// Text made safe for HTML content and attribute values, on one line.
    static func escape(_ text: String) -> String { HTMLText.escape(Sanitizer.line(text)) }

    struct Series {
        var label: String
        var color: String
        var values: [Int64]
    }

    /// An SVG chart of hourly values: axes with labels, a legend, bars or lines.
    struct Chart {
        var labels: [String]
        var series: [Series]
        var unit: (Double) -> String
        let width = 860.0
        let height = 260.0
        let left = 80.0
        let right = 20.0
        let top = 20.0
        let bottom = 60.0

        private var plotWidth: Double { width - left - right }
        private var plotHeight: Double { height - top - bottom }
        private var maximum: Double { max(1, Double(series.flatMap(\.values).max() ?? 0)) }

        private func y(_ value: Int64) -> Double { top + plotHeight * (1 - Double(value) / maximum) }

        private func number(_ value: Double) -> String { format3(value) }

        /// `<name a="v" …>content</name>`, the values escaped.
        private func element(_ name: String, _ attributes: [(String, String)], _ content: String? = nil) -> String {
            let list = attributes.map { " \($0.0)=\"\(ReportHTML.escape($0.1))\"" }.joined()
            guard let content else { return "<\(name)\(list)/>" }
            return "<\(name)\(list)>\(content)</\(name)>"
        }

        private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
            element("line", [("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
                             ("stroke", "#444")]) + "\n"
        }

        private func text(_ x: Double, _ y: Double, _ anchor: String, _ content: String) -> String {
            element("text", [("x", number(x)), ("y", number(y)), ("text-anchor", anchor)], ReportHTML.escape(content))
                + "\n"
        }

        /// Axes, tick labels and the legend around `marks`.
        private func frame(_ marks: String) -> String {
            let size = [("width", "\(Int(width))"), ("height", "\(Int(height))"),
                        ("viewBox", "0 0 \(Int(width)) \(Int(height))"), ("role", "img")]
            let bottomY = top + plotHeight
            var svg = line(left, top, left, bottomY) + line(left, bottomY, width - right, bottomY)
            for step in 0...2 {
                let value = maximum * Double(step) / 2
                svg += text(left - 6, top + plotHeight * (1 - Double(step) / 2) + 4, "end", unit(value))
            }
            let slot = plotWidth / Double(max(1, labels.count))
            for index in Set([0, labels.count / 2, labels.count - 1].filter { $0 >= 0 }).sorted() {
                svg += text(left + slot * (Double(index) + 0.5), bottomY + 16, "middle", labels[index])
            }
            svg += text(left + plotWidth / 2, bottomY + 30, "middle", "hour (UTC)")
            svg += marks
            var legendX = left
            for item in series {
                let legendY = bottomY + 48
                svg += element("rect", [("x", number(legendX)), ("y", number(legendY - 9)), ("width", "10"),
                                        ("height", "10"), ("fill", item.color)])
                svg += text(legendX + 14, legendY, "start", item.label)
                legendX += 24 + Double(min(item.label.count, 40)) * 7
            }
            return element("svg", size, "\n" + svg)
        }

        func bars() -> String {
            let slot = plotWidth / Double(max(1, labels.count))
            let barWidth = slot * 0.8 / Double(max(1, series.count))
            var marks = ""
            for (seriesIndex, item) in series.enumerated() {
                for (hour, value) in item.values.enumerated() where value > 0 {
                    let barX = left + slot * Double(hour) + slot * 0.1 + barWidth * Double(seriesIndex)
                    let barY = y(value)
                    let title = ReportHTML.escape("\(item.label) \(labels[hour]): \(unit(Double(value)))")
                    marks += element("rect", [
                        ("x", number(barX)), ("y", number(barY)), ("width", number(barWidth)),
                        ("height", number(top + plotHeight - barY)), ("fill", item.color),
                    ], "<title>\(title)</title>") + "\n"
                }
            }
            return frame(marks)
        }

        func lines() -> String {
            let slot = plotWidth / Double(max(1, labels.count))
            var marks = ""
            for item in series {
                let points = item.values.enumerated().map { hour, value in
                    "\(number(left + slot * (Double(hour) + 0.5))),\(number(y(value)))"
                }
                marks += element("polyline", [
                    ("fill", "none"), ("stroke", item.color), ("stroke-width", "2"),
                    ("points", points.joined(separator: " ")),
                ], "<title>\(ReportHTML.escape(item.label))</title>") + "\n"
            }
            return frame(marks)
        }
    }
}
