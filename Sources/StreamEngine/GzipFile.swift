#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// gzip files through zlib: the archive's closed parts are compressed, and read back.
package enum GzipFile {
    static let chunk = 64 << 10

    /// Compresses the file at `source` into a new file at `destination` (mode 0600, replacing
    /// one there), with the source's modification time, and syncs it. Returns its size. On a
    /// failure nothing is left at `destination`.
    package static func compress(_ source: String, to destination: String, level: Int32 = 6) throws(FileError) -> Int {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileError(path: source, operation: "open", code: errno) }
        defer { close(input) }
        var status = stat()
        guard fstat(input, &status) == 0 else { throw FileError(path: source, operation: "read", code: errno) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw FileError(path: destination, operation: "create", code: errno) }
        var done = false
        defer {
            close(output)
            if !done { unlink(destination) }
        }
        let size = try deflate(from: input, source: source, into: output, destination: destination, level: level)
        // As gzip(1) does: the compressed file keeps the time its data was last written.
        var times = [status.st_atim, status.st_mtim]
        futimens(output, &times)
        guard fsync(output) == 0 else { throw FileError(path: destination, operation: "write", code: errno) }
        done = true
        return size
    }

    private static func deflate(
        from input: Int32, source: String, into output: Int32, destination: String, level: Int32
    ) throws(FileError) -> Int {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else {
            throw FileError(path: destination, operation: "compress into", code: ENOMEM)
        }
        defer { deflateEnd(&stream) }
        let inBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        let outBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer {
            inBuffer.deallocate()
            outBuffer.deallocate()
        }
        var written = 0
        var result = Z_OK
        while result != Z_STREAM_END {
            let count = read(input, inBuffer, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: source, operation: "read", code: errno)
            }
            stream.next_in = inBuffer
            stream.avail_in = UInt32(count)
            // Everything read goes through before the next read; at the end, until the trailer.
            repeat {
                stream.next_out = outBuffer
                stream.avail_out = UInt32(chunk)
                result = CZlib.deflate(&stream, count == 0 ? Z_FINISH : Z_NO_FLUSH)
                guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                    throw FileError(path: destination, operation: "compress into", code: EIO)
                }
                let produced = chunk - Int(stream.avail_out)
                guard writeAll(output, outBuffer, produced) else {
                    throw FileError(path: destination, operation: "write", code: errno)
                }
                written += produced
            } while stream.avail_out == 0
        }
        return written
    }

    /// The decompressed contents of the gzip file at `path`; more than `limit` bytes is an
    /// error (`EFBIG`), and so is a file that is not gzip or ends early (`EBADMSG`).
    static func contents(of path: String, limit: Int) throws(FileError) -> [UInt8] {
        var bytes: [UInt8] = []
        try inflate(path, limit: limit) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Decompresses the gzip file at `path` a chunk at a time (at most `chunk` bytes each),
    /// handing each to `body` as it comes: memory holds a chunk, never the file. Errors as
    /// `contents(of:limit:)`'s, found when reached (the chunks before one were handed on).
    package static func inflate(
        _ path: String, limit: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(FileError) {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        defer { close(input) }
        let inBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { inBuffer.deallocate() }
        try inflate(name: path, limit: limit, body) { () throws(FileError) -> UnsafeBufferPointer<UInt8> in
            while true {
                let count = read(input, inBuffer, chunk)
                if count >= 0 { return UnsafeBufferPointer(start: inBuffer, count: count) }
                if errno != EINTR { throw FileError(path: path, operation: "read", code: errno) }
            }
        }
    }

    /// Decompresses gzip `bytes` held in memory (an object downloaded whole), a chunk at a time,
    /// as `inflate(_:limit:_:)` does a file; errors name the bytes `name`.
    package static func inflate(
        _ bytes: [UInt8], name: String, limit: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(FileError) {
        try bytes.withUnsafeBufferPointer { (whole) throws(FileError) in
            var rest = whole
            try inflate(name: name, limit: limit, body) { () -> UnsafeBufferPointer<UInt8> in
                let next = UnsafeBufferPointer(rebasing: rest.prefix(chunk))
                rest = UnsafeBufferPointer(rebasing: rest.dropFirst(next.count))
                return next
            }
        }
    }

    /// The one inflate loop: `next` gives the compressed input a piece at a time (empty at its
    /// end), `body` takes the output a chunk at a time. Input that ends before the gzip stream
    /// does, or that is not gzip, is `EBADMSG`; output beyond `limit`, `EFBIG`.
    private static func inflate(
        name: String, limit: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void,
        next: () throws(FileError) -> UnsafeBufferPointer<UInt8>
    ) throws(FileError) {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else {
            throw FileError(path: name, operation: "decompress", code: ENOMEM)
        }
        defer { inflateEnd(&stream) }
        let outBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { outBuffer.deallocate() }
        var total = 0
        var result = Z_OK
        while result != Z_STREAM_END {
            let input = try next()
            guard let base = input.baseAddress, input.count > 0 else {
                throw FileError(path: name, operation: "decompress", code: EBADMSG)
            }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = UInt32(input.count)
            repeat {
                stream.next_out = outBuffer
                stream.avail_out = UInt32(chunk)
                result = CZlib.inflate(&stream, Z_NO_FLUSH)
                guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                    throw FileError(path: name, operation: "decompress", code: EBADMSG)
                }
                let produced = chunk - Int(stream.avail_out)
                total += produced
                if total > limit { throw FileError(path: name, operation: "decompress", code: EFBIG) }
                if produced > 0 { body(UnsafeBufferPointer(start: outBuffer, count: produced)) }
            } while stream.avail_out == 0 && result != Z_STREAM_END
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = write(fd, bytes + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
