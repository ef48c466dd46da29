#if canImport(Glibc)
import Glibc
#endif

/// A file read as it grows, the way `tail -F` follows one: from its end when opened, on to
/// the new file when it is replaced (a log rotated, or made at last). Only whole lines are
/// handed out. Used by one thread at a time: the CLI's `logs -f` and the API's log follow.
package struct FollowedFile: ~Copyable {
    package let path: String
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var partial: [UInt8] = []
    /// The longest line kept while waiting for its end (a log line is far shorter).
    static let maxLine = 1 << 20

    /// Opens `path` (when it exists) at its end.
    package init(path: String) {
        self.path = path
        reopen(atEnd: true)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The whole lines written since the last call, each with its newline.
    package mutating func newLines() -> [UInt8] {
        var lines = readLines()
        var status = stat()
        if stat(path, &status) == 0 && (fd < 0 || status.st_ino != inode) {
            // Replaced: the old file's last lines were read above; the new file from its start.
            reopen(atEnd: false)
            lines += readLines()
        }
        return lines
    }

    private mutating func reopen(atEnd: Bool) {
        if fd >= 0 { close(fd) }
        partial.removeAll()
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var status = stat()
        if fstat(fd, &status) == 0 { inode = status.st_ino }
        if atEnd { lseek(fd, 0, SEEK_END) }
    }

    private mutating func readLines() -> [UInt8] {
        guard fd >= 0 else { return [] }
        var lines: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            for byte in buffer[0..<count] {
                if byte == 0x0A {
                    if !partial.isEmpty { lines += partial + [0x0A] }
                    partial.removeAll(keepingCapacity: true)
                } else if partial.count < FollowedFile.maxLine {
                    partial.append(byte)
                }
            }
        }
        return lines
    }
}
