import Dispatch
import HTTPServer
import StreamCore
import StreamEngine

/// `GET /v1/streams/{id}/logs?follow=true`: new lines of a stream's log file as they are
/// written (`event: log`, one JSONL entry each), the way `tail -F` follows a file: from its
/// end when the client came, on to the new file when the log rotates. The file is read four
/// times a second on the scheduler; only whole lines are sent.
///
/// Confined to `queue`.
package final class LogFollower: @unchecked Sendable {
    private let stream: any HTTPResponseStream
    private let time: any Scheduler
    private let queue = DispatchQueue(label: "streamtop.service.log-follower")
    private var file: FollowedFile?
    private var sinceLastFrame: Duration = .zero

    package static let interval: Duration = .milliseconds(250)
    private let path: String

    package init(path: String, stream: any HTTPResponseStream, time: any Scheduler) {
        self.path = path
        self.stream = stream
        self.time = time
    }

    /// Starts following from the file's current end.
    package func start() {
        queue.async { [self] in
            file = FollowedFile(path: path)
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
        let lines = file?.newLines() ?? []
        var frames: [UInt8] = []
        for line in lines.split(separator: 0x0A) {
            frames += EventsFeed.frame(event: "log", id: nil, data: Array(line))
        }
        sinceLastFrame += LogFollower.interval
        if frames.isEmpty && sinceLastFrame >= EventsFeed.heartbeat { frames = Array(": heartbeat\n\n".utf8) }
        if !frames.isEmpty {
            sinceLastFrame = .zero
            guard stream.send(frames) else { return }
        }
        schedule()
    }
}
