#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import HTTPServer
import StreamCore

/// `GET /v1/streams/{id}/logs?follow=true`: new lines of a stream's log file as they are
/// written (`event: log`, one JSONL entry each), the way `tail -F` follows a file: from its
/// end when the client came, on to the new file when the log rotates. The file is read four
/// times a second on the scheduler; only whole lines are sent.
///
/// Confined to `queue`.
package final class LogFollower: @unchecked Sendable {
    private let path: String
    private let stream: any HTTPResponseStream
    private let time: any Scheduler
    private let queue = DispatchQueue(label: "streamtop.service.log-follower")
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var partial: [UInt8] = []
    private var sinceLastFrame: Duration = .zero

    package static let interval: Duration = .milliseconds(250)
    /// The longest line kept while waiting for its end (a log line is far shorter).
    static let maxLine = 1 << 20

    package init(path: String, stream: any HTTPResponseStream, time: any Scheduler) {
        self.path = path
        self.stream = stream
        self.time = time
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Starts following from the file's current end.
    package func start() {
        queue.async { [self] in
            openFile(atEnd: true)
            schedule()
        }
    }

    private func schedule() {
        dispatchPrecondition(condition: .onQueue(queue))
        time.schedule(after: LogFollower.interval, on: queue) { [self] in poll() }
    }

    private func poll() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard stream.isOpen else { return }  // the follower goes with its last reference
        var frames = readLines()
        var status = stat()
        let replaced = stat(path, &status) == 0 && (fd < 0 || status.st_ino != inode)
        if replaced {
            // Rotated (or made at last): the old file's last lines, then the new file from its start.
            openFile(atEnd: false)
            frames += readLines()
        }
        sinceLastFrame += LogFollower.interval
        if frames.isEmpty && sinceLastFrame >= EventsFeed.heartbeat { frames = Array(": heartbeat\n\n".utf8) }
        if !frames.isEmpty {
            sinceLastFrame = .zero
            guard stream.send(frames) else { return }
        }
        schedule()
    }

    private func openFile(atEnd: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        if fd >= 0 { close(fd) }
        partial.removeAll()
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var status = stat()
        if fstat(fd, &status) == 0 { inode = status.st_ino }
        if atEnd { lseek(fd, 0, SEEK_END) }
    }

    /// The whole lines written since the last read, as SSE frames.
    private func readLines() -> [UInt8] {
        dispatchPrecondition(condition: .onQueue(queue))
        guard fd >= 0 else { return [] }
        var frames: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            for byte in buffer[0..<count] {
                if byte == 0x0A {
                    if !partial.isEmpty { frames += EventsFeed.frame(event: "log", id: nil, data: partial) }
                    partial.removeAll(keepingCapacity: true)
                } else if partial.count < LogFollower.maxLine {
                    partial.append(byte)
                }
            }
        }
        return frames
    }
}
