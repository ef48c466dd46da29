/// What SHA-256 and MD5 share: 64-byte blocks, the tail of the input kept between updates,
/// and the final padding (a 1 bit, zeros, the length in bits).
protocol BlockDigest {
    var pending: DigestBlock { get set }
    /// Bytes hashed so far.
    var length: UInt64 { get set }
    /// SHA-256 writes the length big-endian, MD5 little-endian.
    static var lengthIsBigEndian: Bool { get }
    mutating func compress(_ block: UnsafeRawBufferPointer)
}

extension BlockDigest {
    package mutating func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) != nil { return }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    /// Hashes whole blocks straight from `bytes`; only a partial block is copied.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var rest = bytes[...]
        if pending.count > 0 {
            rest = pending.fill(from: rest)
            guard pending.count == DigestBlock.size else { return }
            let block = pending
            pending.count = 0
            block.withBytes { compress($0) }
        }
        while rest.count >= DigestBlock.size {
            let end = rest.startIndex + DigestBlock.size
            compress(UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<end]))
            rest = rest[end...]
        }
        _ = pending.fill(from: rest)
    }

    /// Pads the input and hashes the last one or two blocks.
    mutating func compressPaddedTail() {
        let bits = length &* 8
        let kept = pending
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * DigestBlock.size) { buffer in
            buffer.initialize(repeating: 0)
            kept.withBytes { bytes in
                for index in 0..<kept.count { buffer[index] = bytes[index] }
            }
            buffer[kept.count] = 0x80
            let total = kept.count + 9 <= DigestBlock.size ? DigestBlock.size : 2 * DigestBlock.size
            for index in 0..<8 {
                let shift = Self.lengthIsBigEndian ? (7 - index) * 8 : index * 8
                buffer[total - 8 + index] = UInt8(truncatingIfNeeded: bits >> UInt64(shift))
            }
            let raw = UnsafeRawBufferPointer(buffer)
            var offset = 0
            while offset < total {
                compress(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + DigestBlock.size]))
                offset += DigestBlock.size
            }
        }
        pending = DigestBlock()
    }
}

/// Up to one 64-byte block of input, inline (no allocation).
struct DigestBlock: Sendable {
    static let size = 64
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0

    /// Copies as much of `bytes` as fits; returns the rest.
    mutating func fill(from bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let taken = min(DigestBlock.size - count, bytes.count)
        guard taken > 0 else { return bytes }
        let start = count
        withUnsafeMutableBytes(of: &storage) { block in
            let source = UnsafeRawBufferPointer(rebasing: bytes[bytes.startIndex..<bytes.startIndex + taken])
            UnsafeMutableRawBufferPointer(rebasing: block[start..<start + taken]).copyMemory(from: source)
        }
        count += taken
        return bytes[(bytes.startIndex + taken)...]
    }

    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeBytes(of: storage) { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
