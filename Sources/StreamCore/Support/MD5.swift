/// MD5 (RFC 1321), pure Swift: the `Content-MD5` S3 checks a PUT's body against, and the
/// `ETag` it returns for an object stored in one PUT unencrypted or with SSE-S3. Not for security.
///
/// Incremental like `SHA256`: `update` as the bytes come, then `finalize` once.
package struct MD5: BlockDigest, Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    var pending = DigestBlock()
    var length: UInt64 = 0
    static let lengthIsBigEndian = false

    package init() {}

    /// The digest of `bytes` (16 bytes).
    package static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = MD5()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest (16 bytes). The hasher is spent afterwards.
    package mutating func finalize() -> [UInt8] {
        compressPaddedTail()
        var digest: [UInt8] = []
        digest.reserveCapacity(16)
        for word in [state.0, state.1, state.2, state.3] {
            digest.append(contentsOf: [UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word >> 8),
                                       UInt8(truncatingIfNeeded: word >> 16), UInt8(word >> 24)])
        }
        return digest
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// floor(abs(sin(i + 1)) * 2^32).
    private static let k: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    mutating func compress(_ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for index in 0..<16 {
                m[index] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
            }
            var (a, b, c, d) = state
            MD5.k.withUnsafeBufferPointer { k in
                MD5.shifts.withUnsafeBufferPointer { shifts in
                    for index in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch index >> 4 {
                        case 0: f = (b & c) | (~b & d); g = index
                        case 1: f = (d & b) | (~d & c); g = (5 &* index &+ 1) & 15
                        case 2: f = b ^ c ^ d; g = (3 &* index &+ 5) & 15
                        default: f = c ^ (b | ~d); g = (7 &* index) & 15
                        }
                        f = f &+ a &+ k[index] &+ m[g]
                        (a, d, c) = (d, c, b)
                        b = b &+ f.rotatedLeft(shifts[index])
                    }
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
        }
    }
}
