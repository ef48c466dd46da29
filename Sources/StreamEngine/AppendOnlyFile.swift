#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// A file opened for appending whole lines. Each call writes whole lines with one `write(2)`
/// on an `O_APPEND` descriptor, so a crash can leave at most the last line torn, never
/// interleaved. What it writes is counted in its `DiskLedger`.
/// Used by one thread at a time (a stream's queue).
final class AppendOnlyFile {
    let path: String
    private let ledger: DiskLedger?
    private var fd: Int32
    private(set) var size: Int
    /// Whether the last write stopped in the middle of a line.
    private var endsTorn = false

    init(path: String, mode: mode_t = 0o600, ledger: DiskLedger? = nil) throws(FileError) {
        self.path = path
        self.ledger = ledger
        fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, mode)  // read: to check the last byte
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        var status = stat()
        size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        // A crash can leave the last line torn. End it, so the next line starts clean: readers
        // then skip just the torn line.
        if size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(size - 1)) == 1 && last != 0x0A {
                var newline: UInt8 = 0x0A
                if write(fd, &newline, 1) == 1 {
                    size += 1
                    ledger?.add(1)
                }
            }
        }
    }

    deinit { close(fd) }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws(FileError) {
        if endsTorn {
            // An earlier write stopped mid-line (a full disk): end that line first, so that
            // readers lose only it and not the whole lines written after it.
            var newline: UInt8 = 0x0A
            guard write(fd, &newline, 1) == 1 else { throw FileError(path: path, operation: "write", code: errno) }
            size += 1
            ledger?.add(1)
            endsTorn = false
        }
        var offset = 0
        defer { ledger?.add(offset) }
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                endsTorn = offset > 0 && bytes[offset - 1] != 0x0A
                throw FileError(path: path, operation: "write", code: code)
            }
            offset += written
            size += written
        }
    }

    func sync() {
        fsync(fd)
    }
}

/// Whole lines waiting to be written to an `AppendOnlyFile` with one `write(2)`. After a
/// burst it lets go of its capacity, so thousands of quiet streams do not each keep 64 KiB.
struct PendingLines {
    static let flushAt = 64 << 10
    private var bytes: [UInt8] = []

    var count: Int { bytes.count }
    var isFull: Bool { bytes.count >= PendingLines.flushAt }

    /// Takes the line written in `line`. A long line's writer is replaced, so that it does
    /// not keep that capacity for the stream's life.
    mutating func add(_ line: inout JSONWriter) {
        line.buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
        if line.buffer.count > 16 << 10 { line = JSONWriter() }
    }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: bytes.capacity <= 4 << 10)
    }

    /// Writes everything pending (dropped when there is no file); on failure it is dropped
    /// too (memory stays bounded) and the error thrown.
    mutating func write(to file: AppendOnlyFile?) throws(FileError) {
        guard let file else { return clear() }
        guard !bytes.isEmpty else { return }
        defer { clear() }
        var failure: FileError?
        bytes.withUnsafeBufferPointer { buffer in
            do { try file.append(buffer) } catch { failure = error as? FileError }
        }
        if let failure { throw failure }
    }
}

/// A file operation that failed, with the system's reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    package init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
}

/// The whole file at `path`, with failures as `FileError`s.
func readWholeFile(_ path: String) throws(FileError) -> [UInt8] {
    do {
        return try WholeFile.read(path: path)
    } catch {
        switch error {
        case .missing: throw FileError(path: path, operation: "open", code: ENOENT)
        case .failed(let operation, let code): throw FileError(path: path, operation: operation, code: code)
        case .tooLarge: throw FileError(path: path, operation: "read", code: EFBIG)
        }
    }
}

/// Creates a directory and its parents (mode 0700) when missing.
package func makeDirectories(_ path: String) throws(FileError) {
    var partial = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        partial += "/" + component
        if mkdir(partial, 0o700) != 0 && errno != EEXIST {
            throw FileError(path: partial, operation: "create directory", code: errno)
        }
    }
}
