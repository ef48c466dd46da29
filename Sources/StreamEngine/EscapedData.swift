import StreamCore

/// An event's data escaped once as a JSON string, for both lines it goes into: whole in the
/// archive, and its first `excerptBytes` (cut where a character ends) in the log.
struct EscapedData {
    /// How much of an event's data its log line quotes.
    static let excerptBytes = 200

    private var writer = JSONWriter()
    /// Where the escaped excerpt ends in `writer` (after the opening quote and the excerpt).
    private var excerptEnd = 0

    /// The data to escape (what was there before is dropped, its room kept up to 64 KiB).
    mutating func set(_ data: String) {
        writer.removeAll(keepingCapacityUpTo: 64 << 10)
        var data = data
        data.withUTF8 { utf8 in
            excerptEnd = writer.writeString(utf8: utf8, markingPrefix: EscapedData.excerptEnd(utf8))
        }
    }

    /// The whole data as a quoted JSON string.
    func quoted(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        writer.buffer.withUnsafeBytes(body)
    }

    /// The opening quote and the excerpt, escaped; the closing quote is the caller's.
    func quotedExcerpt(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        writer.buffer.withUnsafeBytes { body(UnsafeBufferPointer(rebasing: $0[..<excerptEnd])) }
    }

    /// Where the excerpt of `utf8` ends: all of it when short, else the last character start at
    /// or before `bytes`.
    static func excerptEnd(_ utf8: UnsafeBufferPointer<UInt8>, bytes limit: Int = excerptBytes) -> Int {
        guard utf8.count > limit else { return utf8.count }
        var end = limit
        while end > 0 && UTF8.isContinuation(utf8[end]) { end -= 1 }
        return end
    }
}
