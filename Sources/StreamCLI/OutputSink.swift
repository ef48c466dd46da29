import Synchronization
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
    /// Whether the reader went away (a closed pipe): what is written from now on is dropped.
    var isClosed: Bool { get }
}

/// Buffers writes to a file descriptor and writes them in large blocks.
///
/// A reader that went away (EPIPE; SIGPIPE is ignored) closes the sink: later output is
/// dropped and the program goes on. A reader that stops reading must not hold the program
/// either: on a pipe, socket or terminal a write waits for room with `poll`, a piece no larger
/// than what that room guarantees, and gives up on the output once `abandon` says so (SIGTERM
/// arrived), so a stuck stdout never blocks a shutdown.
public final class FileDescriptorSink: OutputSink {
    let fd: Int32
    private var buffer: [UInt8] = []
    private static let threshold = 64 << 10
    private let abandon: () -> Bool
    /// Regular files and /dev/null never leave a write waiting for a reader.
    private let mayBlock: Bool
    /// Set when a write failed (e.g. the reader went away); later output is dropped. Atomic:
    /// `tail` writes on its worker thread and asks from its reading one.
    private let closed = Atomic<Bool>(false)
    private var failed: Bool {
        get { closed.load(ordering: .relaxed) }
        set { closed.store(newValue, ordering: .relaxed) }
    }

    public var isClosed: Bool { failed }

    public init(fd: Int32, abandon: @escaping () -> Bool = { false }) {
        self.fd = fd
        self.abandon = abandon
        var info = stat()
        mayBlock = fstat(fd, &info) != 0 || !(info.st_mode & S_IFMT == S_IFREG || FileDescriptorSink.isNull(info))
        buffer.reserveCapacity(FileDescriptorSink.threshold * 2)
    }

    private static func isNull(_ info: stat) -> Bool {
        var null = stat()
        return stat("/dev/null", &null) == 0 && info.st_rdev == null.st_rdev && info.st_mode & S_IFMT == S_IFCHR
    }

    /// Waits until the descriptor takes a piece without blocking; false when the output is
    /// abandoned meanwhile.
    private func waitForRoom() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let ready = poll(&entry, 1, 100)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the write say what is wrong
            if abandon() { return false }
        }
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
                // PIPE_BUF: what a writable pipe or socket takes whole.
                var count = raw.count - offset
                if mayBlock {
                    guard waitForRoom() else {
                        failed = true
                        return
                    }
                    count = min(count, Int(PIPE_BUF))
                }
                let written = systemWrite(fd, raw.baseAddress! + offset, count)
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
    public var isClosed: Bool { false }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}
