import StreamCore

extension DiskStatus {
    /// `{"budget", "used", "pruning", "keptSince", "removedFiles", "removedBytes"}`; `keptSince`
    /// is ISO 8601 (millisecond precision) or null.
    package var statusJSON: JSONValue {
        [
            "budget": .number(JSONNumber(budget)), "used": .number(JSONNumber(used)),
            "pruning": .bool(pruning), "keptSince": keptSince.map { .string($0.iso8601) } ?? .null,
            "removedFiles": .number(JSONNumber(removedFiles)),
            "removedBytes": .number(JSONNumber(removedBytes)),
        ]
    }

    /// Reads `statusJSON` back; an error names the field at fault (`disk.used`).
    package init(statusJSON json: JSONValue) throws(StatusJSONError) {
        let fields = try StatusJSONReader(json, path: "disk")
        self.init(budget: try fields.int("budget"), used: try fields.int("used"))
        pruning = try fields.bool("pruning")
        if let text = try fields.optionalString("keptSince") {
            guard let time = UTCTime(iso8601: text) else {
                throw StatusJSONError(field: "disk.keptSince", .invalid("is not an ISO 8601 time: \"\(text)\""))
            }
            keptSince = time
        }
        removedFiles = try fields.int("removedFiles")
        removedBytes = try fields.int("removedBytes")
    }
}
