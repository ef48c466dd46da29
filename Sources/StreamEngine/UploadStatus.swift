import StreamCore

/// The archive's uploads to S3, as status.json, `/metrics`, `streamtop status` and the
/// monitor's header show them: what waits (closed segments not yet confirmed by the store),
/// what went, and the last failure (public: the monitor's `MonitorLink` conveys it with the
/// disk's status).
public struct UploadStatus: Sendable, Equatable {
    /// Where segments go: `s3://bucket/prefix`.
    public var destination: String
    /// Segments waiting, and their compressed bytes.
    public var waitingSegments = 0
    public var waitingBytes = 0
    /// Segments confirmed since the engine started, and their bytes.
    public var uploadedSegments = 0
    public var uploadedBytes = 0
    /// Failed attempts since the engine started.
    public var failures = 0
    /// The last failure, while uploads fail (nil once one succeeds again).
    public var lastError: String?
    public var lastUploadAt: UTCTime?

    package init(destination: String) {
        self.destination = destination
    }
}

extension UploadStatus {
    /// `{"destination", "waitingSegments", "waitingBytes", "uploadedSegments", "uploadedBytes",
    /// "failures", "lastError", "lastUploadAt"}`.
    package var statusJSON: JSONValue {
        [
            "destination": .string(destination),
            "waitingSegments": .number(JSONNumber(waitingSegments)), "waitingBytes": .number(JSONNumber(waitingBytes)),
            "uploadedSegments": .number(JSONNumber(uploadedSegments)),
            "uploadedBytes": .number(JSONNumber(uploadedBytes)), "failures": .number(JSONNumber(failures)),
            "lastError": lastError.map { .string($0) } ?? .null,
            "lastUploadAt": lastUploadAt.map { .string($0.iso8601) } ?? .null,
        ]
    }

    /// Reads `statusJSON` back; an error names the field at fault (`disk.upload.waitingBytes`).
    package init(statusJSON json: JSONValue) throws(StatusJSONError) {
        let fields = try StatusJSONReader(json, path: "disk.upload")
        self.init(destination: try fields.string("destination"))
        waitingSegments = try fields.int("waitingSegments")
        waitingBytes = try fields.int("waitingBytes")
        uploadedSegments = try fields.int("uploadedSegments")
        uploadedBytes = try fields.int("uploadedBytes")
        failures = try fields.int("failures")
        lastError = try fields.optionalString("lastError")
        if let text = try fields.optionalString("lastUploadAt") {
            guard let time = UTCTime(iso8601: text) else {
                throw StatusJSONError(
                    field: "disk.upload.lastUploadAt", .invalid("is not an ISO 8601 time: \"\(text)\""))
            }
            lastUploadAt = time
        }
    }
}
