/// Bytes waiting to be written to a socket, taken from the front as the socket accepts them.
struct OutputQueue {
    private var bytes: [UInt8] = []
    private var start = 0

    /// The buffer kept once everything was written. Small: a streamed response's connection
    /// lives for hours, and thousands of them (served streams) would each keep their largest
    /// piece, a 47 KB snapshot 47 MB for 1,000 clients.
    static let keptCapacity = 4 << 10

    var isEmpty: Bool { start == bytes.count }
    var count: Int { bytes.count - start }
    /// The buffer's size, written or not.
    var capacity: Int { bytes.capacity }

    mutating func append(_ more: [UInt8]) {
        if isEmpty && bytes.capacity < more.count {
            bytes = more
            start = 0
        } else {
            bytes += more
        }
    }

    /// Calls `write` with the unwritten bytes; it returns how many it wrote (or a negative
    /// error), and those leave the queue.
    mutating func write(_ write: (UnsafeRawBufferPointer) -> Int) -> Int {
        let written = bytes.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        if written > 0 {
            start += written
            if start == bytes.count {
                // Keep a small buffer for the next response; let a larger one go.
                bytes.removeAll(keepingCapacity: bytes.capacity <= OutputQueue.keptCapacity)
                start = 0
            }
        }
        return written
    }

    mutating func removeAll() {
        bytes = []
        start = 0
    }
}
