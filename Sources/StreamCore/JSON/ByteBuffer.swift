/// A growable byte buffer with value semantics, for writers on hot paths.
///
/// `[UInt8].append` checks uniqueness and capacity on every call; this buffer checks
/// uniqueness once per `reserve` and capacity with one comparison, and lets a writer that has
/// reserved room store bytes through a raw pointer.
public struct ByteBuffer: Sendable {
    /// Owns the memory; copied on write when shared.
    final class Storage: @unchecked Sendable {  // only mutated through a uniquely referenced ByteBuffer
        var base: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }

        func copy() -> Storage {
            let copy = Storage(capacity: capacity)
            copy.base.update(from: base, count: count)
            copy.count = count
            return copy
        }

        func grow(toAtLeast needed: Int) {
            let newCapacity = max(needed, capacity * 2)
            let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBase.update(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
    }

    private(set) var storage: Storage

    public init(capacity: Int = 256) {
        storage = Storage(capacity: capacity)
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.count == 0 }

    /// The bytes written so far, as an array (a copy).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Makes room for `extra` more bytes and returns the storage to write them into.
    /// Call before a run of `unsafeAppend`s.
    @inline(__always)
    mutating func reserve(_ extra: Int) -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        if storage.count + extra > storage.capacity { storage.grow(toAtLeast: storage.count + extra) }
        return storage
    }

    public mutating func append(_ byte: UInt8) {
        let storage = reserve(1)
        storage.base[storage.count] = byte
        storage.count += 1
    }

    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        let storage = reserve(bytes.count)
        (storage.base + storage.count).update(from: source, count: bytes.count)
        storage.count += bytes.count
    }

    public mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func removeAll() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(capacity: storage.capacity) }
        storage.count = 0
    }

    /// Empties the buffer, keeping its memory only up to `limit` bytes: a writer that once
    /// wrote a large record (a 16 MiB body) need not keep that much for good.
    public mutating func removeAll(keepingCapacityUpTo limit: Int) {
        guard storage.capacity > limit else { return removeAll() }
        storage = Storage(capacity: 256)
    }
}

extension ByteBuffer.Storage {
    /// Appends a byte, growing when full. Only for a writer that holds the storage uniquely
    /// (it called `ByteBuffer.reserve` first).
    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(toAtLeast: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if count + bytes.count > capacity { grow(toAtLeast: count + bytes.count) }
        unsafeAppend(bytes)
    }

    @inline(__always)
    func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Makes room for `extra` bytes, for a run of `unsafeAppend`s.
    @inline(__always)
    func ensure(_ extra: Int) {
        if count + extra > capacity { grow(toAtLeast: count + extra) }
    }

    /// Stores a byte; the caller has reserved room.
    @inline(__always)
    func unsafeAppend(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func unsafeAppend(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        let n = bytes.count
        if n <= 16 {
            // Short runs (keys, small values) are most of what a writer copies: a call to
            // memcpy costs more than the bytes.
            for i in 0..<n { base[count + i] = source[i] }
        } else {
            (base + count).update(from: source, count: n)
        }
        count += n
    }
}
