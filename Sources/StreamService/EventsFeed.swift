import Dispatch
import HTTPServer
import StreamCore
import StreamEngine

/// `GET /v1/events`: the service's own status as a Streamdata-style stream. A new client gets
/// `event: data` with the whole `/v1/streams` body, then `event: patch` with the RFC 6902 patch
/// of each change (at most ten a second), and `event: alert` for each alert; `id:` is the body's
/// version. A client that comes back with `Last-Event-ID` gets the patches it missed while they
/// are still kept, a fresh `data` event otherwise.
///
/// Confined to `queue`: every field is read and written there only.
package final class EventsFeed: @unchecked Sendable {
    private struct Patch {
        var from: Int
        var to: Int
        var frame: [UInt8]
    }

    private let store: SnapshotStore
    private let body: StatusBody
    private let time: any Scheduler
    private let queue = DispatchQueue(label: "streamtop.service.events")
    private var subscribers: [ObjectIdentifier: any HTTPResponseStream] = [:]
    /// The body last sent, in pieces: each tick builds and diffs only the streams that moved.
    private var current: StatusParts?
    private var patches: [Patch] = []
    private var patchBytes = 0
    /// The last patch frame's size: room reserved for the next.
    private var lastPatchSize = 4096
    private var alertsSeen: Int
    private var ticking = false
    private var sinceLastFrame: Duration = .zero
    private var stopped = false

    package static let interval: Duration = .milliseconds(100)
    package static let heartbeat: Duration = .seconds(15)
    /// Patches kept for clients that resume: at most this many bytes of them.
    package static let keptPatchBytes = 8 << 20

    package init(store: SnapshotStore, body: StatusBody, time: any Scheduler) {
        self.store = store
        self.body = body
        self.time = time
        alertsSeen = store.alerts(after: 0).last?.sequence ?? 0
    }

    /// Adds a client: what it missed (or a snapshot) at once, then every change.
    package func subscribe(_ stream: any HTTPResponseStream, lastEventID: String?) {
        queue.async { [self] in
            guard !stopped else {
                stream.finish()
                return
            }
            refresh()
            guard let current else { return }
            var frames = SSEFrame.retry(milliseconds: 2000)
            let resumed = lastEventID.flatMap(Int.init).flatMap(missed(after:))
            if let resumed {
                for patch in resumed { frames += patch.frame }
            } else {
                frames += EventsFeed.frame(event: "data", id: current.version, data: body.data(current))
            }
            guard stream.send(frames) else { return }
            let key = ObjectIdentifier(stream)
            subscribers[key] = stream
            stream.onClose { [weak self] in self?.unsubscribe(key) }
            startTicking()
        }
    }

    /// Ends every client's stream.
    package func stop() {
        queue.sync {
            stopped = true
            for stream in subscribers.values { stream.finish() }
            subscribers.removeAll()
        }
    }

    private func unsubscribe(_ key: ObjectIdentifier) {
        queue.async { [self] in subscribers[key] = nil }
    }

    package var clientCount: Int { queue.sync { subscribers.count } }

    // MARK: On the queue

    /// The patches after version `version`, in order (empty: up to date); nil when they are
    /// no longer kept (or never were).
    private func missed(after version: Int) -> [Patch]? {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let current else { return nil }
        if version == current.version { return [] }
        guard let start = patches.firstIndex(where: { $0.from == version }) else { return nil }
        return Array(patches[start...])
    }

    private func startTicking() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !ticking, !subscribers.isEmpty else { return }
        ticking = true
        time.schedule(after: EventsFeed.interval, on: queue) { [weak self] in self?.tick() }
    }

    private func tick() {
        dispatchPrecondition(condition: .onQueue(queue))
        ticking = false
        guard !stopped, !subscribers.isEmpty else { return }
        sinceLastFrame += EventsFeed.interval
        // The patch's frame as it is (megabytes with thousands of streams moving), not copied
        // into another array when nothing else goes with it.
        var frames = refresh()?.frame ?? []
        for alert in store.alerts(after: alertsSeen) {
            alertsSeen = alert.sequence
            let data: JSONValue = [
                "sequence": .number(JSONNumber(alert.sequence)), "stream": .string(alert.stream),
                "message": .string(alert.message), "recovered": .bool(alert.recovered),
            ]
            frames += EventsFeed.frame(event: "alert", id: nil, data: JSONWriter.data(data))
        }
        if frames.isEmpty && sinceLastFrame >= EventsFeed.heartbeat { frames = SSEFrame.comment("heartbeat") }
        if !frames.isEmpty {
            sinceLastFrame = .zero
            for (key, stream) in subscribers where !stream.send(frames) { subscribers[key] = nil }
        }
        startTicking()
    }

    /// Builds the body again when a stream published since the last build; returns the patch
    /// from the last body when it differs.
    @discardableResult
    private func refresh() -> Patch? {
        dispatchPrecondition(condition: .onQueue(queue))
        let (version, snapshots) = store.latest()
        if let current, current.version == version { return nil }
        let next = body.parts(version: version, snapshots: snapshots, disk: store.disk, reusing: current)
        defer { current = next }
        guard let previous = current else { return nil }
        let frame = StatusParts.patchFrame(
            from: previous, to: next, event: "patch", id: version, reservingCapacity: lastPatchSize + lastPatchSize / 4)
        lastPatchSize = frame.count
        let patch = Patch(from: previous.version, to: version, frame: frame)
        keep(patch)
        return patch
    }

    private func keep(_ patch: Patch) {
        patches.append(patch)
        patchBytes += patch.frame.count
        var drop = 0
        while patchBytes > EventsFeed.keptPatchBytes, drop < patches.count {
            patchBytes -= patches[drop].frame.count
            drop += 1
        }
        if drop > 0 { patches.removeFirst(drop) }
    }

    /// One SSE event (see `SSEFrame`), its id a version.
    package static func frame(event: String, id: Int?, data: [UInt8]) -> [UInt8] {
        SSEFrame.event(event, id: id.map(String.init), data: data)
    }
}
