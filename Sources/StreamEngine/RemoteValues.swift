import StreamCore

// What a monitor attached over the control API builds from the JSON it reads: values the
// engine otherwise makes only for itself.

extension AlertEvent {
    /// An alert as `/v1/events` sends it (numbered by the reader, not by the sender's store).
    package static func received(sequence: Int, stream: String, message: String, recovered: Bool) -> AlertEvent {
        AlertEvent(sequence: sequence, stream: stream, message: message, recovered: recovered)
    }
}

extension LogEntry {
    /// An entry read back from one JSON line (a log file's, or `GET …/logs`); nil when the
    /// line is not one.
    package static func read(line: ArraySlice<UInt8>) -> LogEntry? {
        LogEntry(line: line)
    }
}
