#if canImport(Glibc)
import Glibc
#endif
import StreamCore

/// STATUS written straight to JSON text: one stream as status.json holds it and the control
/// API serves it (see `StreamSnapshot.statusText`), with where each leaf's value lies, so that
/// two of them are compared leaf by leaf (the patches of `/v1/events`) without being parsed.
///
/// Every STATUS has the same leaves in the same order (`leafPaths`; null where a value is
/// missing), whatever the stream's state: two STATUS differ only in values.
package struct StatusText: Sendable, Equatable {
    /// The object's text, compact.
    package let bytes: [UInt8]
    /// Where each leaf's value starts and ends in `bytes`, two numbers a leaf.
    private let bounds: [UInt32]

    init(bytes: [UInt8], bounds: [UInt32]) {
        self.bytes = bytes
        self.bounds = bounds
    }

    /// The pointer of each leaf within a STATUS (`/id`, `/patchSizes/p95`), in order.
    package static let leafPaths: [String] = {
        var writer = StatusText.Writer(recordingPaths: true)
        StreamSnapshot.placeholder.writeStatus(into: &writer, wall: WallTime(offset: 0))
        return writer.paths
    }()

    package static var leafCount: Int { leafPaths.count }

    /// The text of leaf `leaf`'s value.
    @inline(__always)
    package func value(_ leaf: Int) -> ArraySlice<UInt8> {
        bytes[Int(bounds[2 * leaf])..<Int(bounds[2 * leaf + 1])]
    }

    /// Whether leaf `leaf` has the same value text in both.
    @inline(__always)
    package func sameValue(_ leaf: Int, as other: StatusText) -> Bool {
        let (start, end) = (Int(bounds[2 * leaf]), Int(bounds[2 * leaf + 1]))
        let (otherStart, otherEnd) = (Int(other.bounds[2 * leaf]), Int(other.bounds[2 * leaf + 1]))
        guard end - start == otherEnd - otherStart else { return false }
        return bytes.withUnsafeBufferPointer { mine in
            other.bytes.withUnsafeBufferPointer { theirs in
                memcmp(mine.baseAddress! + start, theirs.baseAddress! + otherStart, end - start) == 0
            }
        }
    }

    /// Whether both hold the very same text buffer (a STATUS taken from the cache again): then
    /// every leaf is the same, without comparing any.
    package func isSameText(as other: StatusText) -> Bool {
        bytes.withUnsafeBufferPointer { mine in
            other.bytes.withUnsafeBufferPointer { theirs in
                mine.baseAddress == theirs.baseAddress && mine.count == theirs.count
            }
        }
    }

    /// Calls `body` with each leaf whose value text differs from the same leaf in `old`, in
    /// order, and this text's value (valid during the call only). What `sameValue` and `value`
    /// give leaf by leaf, without a slice (and a retain) or a `memcmp` call for each leaf.
    package func forEachChangedLeaf(since old: StatusText, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        if isSameText(as: old) { return }
        bytes.withUnsafeBufferPointer { mine in
            old.bytes.withUnsafeBufferPointer { theirs in
                bounds.withUnsafeBufferPointer { myBounds in
                    old.bounds.withUnsafeBufferPointer { theirBounds in
                        guard let mineBase = mine.baseAddress, let theirBase = theirs.baseAddress else { return }
                        for leaf in 0..<min(myBounds.count, theirBounds.count) / 2 {
                            let (start, end) = (Int(myBounds[2 * leaf]), Int(myBounds[2 * leaf + 1]))
                            let otherStart = Int(theirBounds[2 * leaf])
                            let length = end - start
                            if length == Int(theirBounds[2 * leaf + 1]) - otherStart {
                                var at = 0
                                while at < length, mineBase[start + at] == theirBase[otherStart + at] { at += 1 }
                                if at == length { continue }
                            }
                            body(leaf, UnsafeBufferPointer(start: mineBase + start, count: length))
                        }
                    }
                }
            }
        }
    }

    /// A measured number as STATUS writes it: four significant digits, more than any screen
    /// shows, so that a rate that moves in its tenth digit does not make a patch every second.
    /// Counters and byte sizes are integers and written whole.
    package static func measured(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value.isFinite ? 0 : value }
        let digits = 4 - 1 - Int(log10(abs(value)).rounded(.down))
        if digits >= 0 {
            let scale = Self.powers[min(digits, Self.powers.count - 1)]
            return (value * scale).rounded() / scale
        }
        let scale = Self.powers[min(-digits, Self.powers.count - 1)]
        return (value / scale).rounded() * scale
    }

    private static let powers: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { product, _ in product * 10 }
    }

    /// Writes one STATUS: members in order, with each leaf's bounds (and, once, its path).
    struct Writer {
        var json = JSONWriter(reservingCapacity: 1536)
        var bounds: [UInt32] = []
        private(set) var paths: [String] = []
        private let recordingPaths: Bool
        private var prefix = ""
        private var first = true

        init(recordingPaths: Bool = false) {
            self.recordingPaths = recordingPaths
            bounds.reserveCapacity(2 * 64)
            json.appendRaw("{")
        }

        mutating func finish() -> StatusText {
            json.appendRaw("}")
            return StatusText(bytes: json.bytes, bounds: bounds)
        }

        /// `"key":` after a comma when needed.
        private mutating func key(_ key: StaticString) {
            json.writeKey(key, first: first)
            first = false
        }

        private mutating func leaf(_ key: StaticString, _ write: (inout JSONWriter) -> Void) {
            self.key(key)
            if recordingPaths { paths.append(prefix + "/" + key.description) }
            bounds.append(UInt32(json.buffer.count))
            write(&json)
            bounds.append(UInt32(json.buffer.count))
        }

        /// A leaf whose value `write` writes whole (an object that changes as one).
        mutating func value(_ key: StaticString, _ write: (inout JSONWriter) -> Void) {
            leaf(key, write)
        }

        mutating func string(_ key: StaticString, _ value: String?) {
            leaf(key) { json in
                if let value { json.writeString(value) } else { json.appendRaw("null") }
            }
        }

        mutating func integer(_ key: StaticString, _ value: Int?) {
            leaf(key) { json in
                if let value { json.writeInteger(value) } else { json.appendRaw("null") }
            }
        }

        mutating func double(_ key: StaticString, _ value: Double?) {
            leaf(key) { json in
                if let value { json.writeDouble(value) } else { json.appendRaw("null") }
            }
        }

        /// `"key":{…}`, its members written by `members`.
        mutating func object(_ key: StaticString, _ members: (inout Writer) -> Void) {
            self.key(key)
            json.appendRaw("{")
            let outer = prefix
            if recordingPaths { prefix += "/" + key.description }
            first = true
            members(&self)
            prefix = outer
            first = false
            json.appendRaw("}")
        }
    }
}

extension StreamSnapshot {
    /// Any snapshot: every STATUS has the same leaves, so one of them names them all.
    static var placeholder: StreamSnapshot {
        let at = Moment(nanoseconds: 0)
        return StreamSnapshot(
            id: "", name: "", url: "", mode: .sse, group: nil, status: StreamStatus(state: .idle, since: at),
            metrics: MetricsSnapshot(nothingAt: at), version: 0)
    }
}
