import StreamCore

extension AlertEvent {
    /// `{"sequence", "stream", "message", "recovered"}` (`stream` empty for the engine as a
    /// whole): the control API's `event: alert`.
    package var json: JSONValue {
        [
            "sequence": .number(JSONNumber(sequence)), "stream": .string(stream), "message": .string(message),
            "recovered": .bool(recovered),
        ]
    }

    /// Reads `json` back; an error names the field at fault (`alert.message`).
    package init(json: JSONValue) throws(StatusJSONError) {
        let fields = try StatusJSONReader(json, path: "alert")
        self.init(
            sequence: try fields.int("sequence"), stream: try fields.string("stream"),
            message: try fields.string("message"), recovered: try fields.bool("recovered"))
    }
}
