import StreamCore

/// `--format json`: the report as one JSON object, keys in a fixed order, numbers unrounded.
///
///     {"since", "until", "savings", "hours": [ISO hour starts],
///      "groups": [{group fields}], "streams": [{stream fields, "hourly": {"wireBytes", "changes"}}]}
enum ReportJSON {
    static func value(_ report: ArchiveReport) -> JSONValue {
        var object: JSONObject = [
            "since": .string(report.period.since.iso8601),
            "until": .string(report.period.until.iso8601),
            "savings": ReportCell.number(report.savings).json,
            "hours": .array(report.hours.map { .string($0.iso8601) }),
        ]
        object["groups"] = .array(report.groups.map { group in
            .object(JSONObject(ReportFields.groups.map { ($0.key, $0.value(group).json) }))
        })
        object["streams"] = .array(report.streams.map { stream in
            var members = JSONObject(ReportFields.streams.map { ($0.key, $0.value(stream).json) })
            members["hourly"] = [
                "wireBytes": .array(stream.hourlyWireBytes.map { .number(JSONNumber(Int($0))) }),
                "changes": .array(stream.hourlyChanges.map { .number(JSONNumber(Int($0))) }),
            ]
            return .object(members)
        })
        return .object(object)
    }

    static func render(_ report: ArchiveReport) -> String {
        JSONWriter.string(value(report), pretty: true) + "\n"
    }
}

/// `--format csv`: RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a quote or
/// a line break), one header line, a row per group then a row per stream; `scope` says which.
/// A group's row has its name as `id` and `group`, and the group columns; a stream's row the
/// stream columns.
enum ReportCSV {
    static func render(_ report: ArchiveReport) -> String {
        var keys = ["scope", "id"]
        for key in ReportFields.streams.map(\.key) + ReportFields.groups.map(\.key) where !keys.contains(key) {
            keys.append(key)
        }
        var lines = [keys.map(quote).joined(separator: ",")]
        for group in report.groups {
            var cells = ["scope": "group", "id": group.name]
            for field in ReportFields.groups { cells[field.key] = field.value(group).csv }
            lines.append(keys.map { quote(cells[$0] ?? "") }.joined(separator: ","))
        }
        for stream in report.streams {
            var cells = ["scope": "stream"]
            for field in ReportFields.streams { cells[field.key] = field.value(stream).csv }
            lines.append(keys.map { quote(cells[$0] ?? "") }.joined(separator: ","))
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    static func quote(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return field
        }
        var quoted = "\""
        for scalar in field.unicodeScalars {
            quoted.unicodeScalars.append(scalar)
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }
}
