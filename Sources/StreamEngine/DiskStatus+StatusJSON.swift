import StreamCore

extension DiskStatus {
    /// `{"budget", "used", "pruning", "keptSince", "removedFiles", "removedBytes"}`, and
    /// `"upload"` when the archive goes to S3; `keptSince` is ISO 8601 (millisecond precision)
    /// or null.
    package var statusJSON: JSONValue {
        var fields: JSONObject = [
            "budget": .number(JSONNumber(budget)), "used": .number(JSONNumber(used)),
            "pruning": .bool(pruning), "keptSince": keptSince.map { .string($0.iso8601) } ?? .null,
            "removedFiles": .number(JSONNumber(removedFiles)),
            "removedBytes": .number(JSONNumber(removedBytes)),
        ]
        if let upload { fields["upload"] = upload.statusJSON }
        return .object(fields)
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
        if let upload = fields.optional("upload"), upload != .null {
            self.upload = try UploadStatus(statusJSON: upload)
        }
    }
}
