#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Where a command's output goes: a buffered file descriptor, or memory (for tests).
public protocol OutputSink: AnyObject {
    func write(_ bytes: [UInt8])
    func flush()
}

/// Buffers writes to a file descriptor and writes them in large blocks.
public final class FileDescriptorSink: OutputSink {
    let fd: Int32
    private var buffer: [UInt8] = []
    private static let threshold = 64 << 10
    /// Set when a write failed (e.g. the reader went away); later output is dropped.
    public private(set) var failed = false

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(FileDescriptorSink.threshold * 2)
    }

    public func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= FileDescriptorSink.threshold { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty, !failed else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// Collects output in memory.
public final class MemorySink: OutputSink {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func write(_ bytes: [UInt8]) { self.bytes.append(contentsOf: bytes) }
    public func flush() {}

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}
