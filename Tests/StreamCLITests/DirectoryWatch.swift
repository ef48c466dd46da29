import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What happens to the files of one directory, as the kernel tells it (inotify): a test waits
/// for another process to reach a point of its run (a file opened, created, renamed into
/// place) and acts at once, instead of guessing how long the process takes to get there.
final class DirectoryWatch {
    private let fd: Int32

    /// Watches `directory` from now on.
    init(_ directory: String) throws {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard inotify_add_watch(fd, directory, UInt32(IN_OPEN | IN_CREATE | IN_MOVED_TO)) >= 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    deinit { close(fd) }

    /// Waits for an event in `mask` on a file whose name starts with `prefix`, and returns that
    /// name; nil once `alive` says the process that would cause it is gone without having
    /// caused it. Events wake the wait at once; `alive` is asked every 100 ms between them.
    func wait(for mask: Int32, namedLike prefix: String, while alive: () -> Bool) -> String? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let stillAlive = alive()  // asked before reading, so that no event of its life is missed
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, stillAlive ? 100 : 0) > 0 {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0,
                   let name = DirectoryWatch.first(in: buffer, count: count, mask: UInt32(mask), prefix: prefix) {
                    return name
                }
                continue
            }
            if !stillAlive { return nil }
        }
    }

    /// The first event in `mask` for a name starting with `prefix` among the `count` bytes of
    /// `inotify_event`s read.
    private static func first(in events: [UInt8], count: Int, mask: UInt32, prefix: String) -> String? {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= count {
            let (eventMask, length) = events.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                 Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
            }
            let bytes = events[offset + header..<min(offset + header + length, count)]
            let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            if eventMask & mask != 0 && name.hasPrefix(prefix) { return name }
            offset += header + length
        }
        return nil
    }
}
