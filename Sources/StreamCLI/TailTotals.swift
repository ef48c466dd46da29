/// Counters that end up in the summary line.
struct TailTotals: Equatable {
    var events = 0
    /// Bytes of the stream read (the input's size for a file).
    var bytes = 0
    var reconnects = 0
    var errors = 0
    var lastEventID = ""
    var retryMilliseconds: Int?
}
