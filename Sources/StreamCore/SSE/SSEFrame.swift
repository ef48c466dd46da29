/// One Server-Sent Event as bytes on the wire: `id:` (when given), `event:` (when given), one
/// `data:` line per line of the data, and the blank line that ends the event. The one writer
/// of events for everything streamtop serves.
public enum SSEFrame {
    public static func event(_ name: String?, id: String? = nil, data: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(data.count + 48)
        if let id { frame += Array("id: \(id)\n".utf8) }
        if let name { frame += Array("event: \(name)\n".utf8) }
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            frame += Array("data: ".utf8)
            frame += line
            frame.append(0x0A)
        }
        frame.append(0x0A)
        return frame
    }

    /// A comment line: ignored by clients, it keeps proxies and idle timers from closing the
    /// connection.
    public static func comment(_ text: String) -> [UInt8] { Array(": \(text)\n\n".utf8) }

    /// The reconnection delay a client should wait, in milliseconds.
    public static func retry(milliseconds: Int) -> [UInt8] { Array("retry: \(milliseconds)\n\n".utf8) }
}
