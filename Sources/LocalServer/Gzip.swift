/// A gzip encoder using DEFLATE's stored (uncompressed) blocks: valid gzip that any decoder
/// reads, enough to exercise a client's `Content-Encoding: gzip` path without zlib.
enum Gzip {
    static func encode(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]  // magic, deflate, no flags, mtime 0, OS unknown
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out.append(final)  // BFINAL, BTYPE = 00 (stored)
            out.append(UInt8(length & 0xFF))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF))
            out.append(UInt8((~length >> 8) & 0xFF))
            out.append(contentsOf: data[offset..<(offset + length)])
            offset += length
        } while offset < data.count
        let crc = crc32(data)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
        let size = UInt32(truncatingIfNeeded: data.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xFF)) }
        return out
    }

    /// gzip for a body sent in pieces (an event stream): a header, one stored block per
    /// piece, and at the end an empty final block with the checksum and length.
    struct Stream {
        private var crc: UInt32 = 0xFFFF_FFFF
        private var length: UInt32 = 0

        static let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]

        mutating func block(_ data: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var offset = 0
            while offset < data.count {
                let count = min(65_535, data.count - offset)
                out.append(0)  // not final, stored
                out += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
                out.append(contentsOf: data[offset..<(offset + count)])
                offset += count
            }
            for byte in data { crc = Gzip.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            length &+= UInt32(truncatingIfNeeded: data.count)
            return out
        }

        func trailer() -> [UInt8] {
            var out: [UInt8] = [1, 0, 0, 0xFF, 0xFF]  // final, stored, empty
            let checksum = crc ^ 0xFFFF_FFFF
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((checksum >> UInt32(shift)) & 0xFF)) }
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((length >> UInt32(shift)) & 0xFF)) }
            return out
        }
    }

    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
