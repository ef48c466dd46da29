#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// Cuts bytes that come in chunks (a file read or decompressed a piece at a time) into lines,
/// wherever the chunks end: a line within one chunk is handed on in place, one split across
/// chunks is put together first. Memory holds the longest line, never the whole input.
package struct LineSplitter {
    /// The start of a line whose end has not come yet.
    private var carry: [UInt8] = []
    /// The lines handed on so far, and the one being put together when `carry` is not empty
    /// (empty lines count: numbers are those of the file).
    package private(set) var lineNumber = 0

    package init() {}

    /// The bytes after the last newline so far: at the end of the input, a line cut short.
    package var pendingBytes: Int { carry.count }

    /// Hands each line ended in `chunk` to `body`, without its newline, with its number (from 1).
    package mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        while start < chunk.count {
            guard let found = memchr(base + start, 0x0A, chunk.count - start) else { break }
            let newline = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            lineNumber += 1
            if carry.isEmpty {
                body(UnsafeBufferPointer(start: base + start, count: newline - start), lineNumber)
            } else {
                carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: newline - start))
                carry.withUnsafeBufferPointer { body($0, lineNumber) }
                carry.removeAll(keepingCapacity: carry.capacity <= 1 << 20)
            }
            start = newline + 1
        }
        carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: chunk.count - start))
    }

    /// The warning for a line cut short at the end of input `name`, if there is one.
    package func tornLineWarning(name: String) -> String? {
        guard !carry.isEmpty else { return nil }
        return JSONLinesReader.incompleteWarning(name: name, line: lineNumber + 1, bytes: carry.count)
    }
}

extension JSONLinesReader {
    /// Read from plain files in chunks of this size.
    static let readChunk = 256 << 10

    /// Hands each line of a file of JSON lines (`.gz`: decompressed as it is read) to `body`,
    /// with its number, a chunk at a time; returns the warning for a torn last line. Errors
    /// (an unreadable file, a bad or too large gzip stream) are found when reached: the lines
    /// before were handed on.
    package static func forEachLine(
        path: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws(FileError) -> String? {
        var splitter = LineSplitter()
        if path.hasSuffix(".gz") {
            try GzipFile.inflate(path, limit: maxDecompressedBytes) { splitter.feed($0, body) }
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
            defer { close(fd) }
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: readChunk)
            defer { buffer.deallocate() }
            while true {
                let count = read(fd, buffer, readChunk)
                if count == 0 { break }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path: path, operation: "read", code: errno)
                }
                splitter.feed(UnsafeBufferPointer(start: buffer, count: count), body)
            }
        }
        return splitter.tornLineWarning(name: path)
    }

    /// Hands each line of gzip-compressed JSON lines held in memory (an archive part
    /// downloaded whole) to `body`, as `forEachLine(path:_:)` does a file's; warnings and errors
    /// name it `name`.
    package static func forEachLine(
        gzip bytes: [UInt8], name: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws(FileError) -> String? {
        var splitter = LineSplitter()
        try GzipFile.inflate(bytes, name: name, limit: maxDecompressedBytes) { splitter.feed($0, body) }
        return splitter.tornLineWarning(name: name)
    }

    package static func incompleteWarning(name: String, line: Int, bytes: Int) -> String {
        "\(name): line \(line) is incomplete (\(bytes) bytes, a write cut short); skipped"
    }

    package static func notJSONWarning(name: String, line: Int, error: JSONParseError) -> String {
        "\(name): line \(line) is not JSON (\(error.reasonText)); skipped"
    }
}
