import Dispatch
import StreamCore
import Synchronization

/// A served poll stream (`"serve": true`): the Streamdata-style proxy of a polled API. Each
/// client gets `event: data` with the current document, then `event: patch` with the RFC 6902
/// diff of every poll that changed it; `id:` is a version that only grows, across restarts of
/// the process too (it starts from the wall clock in milliseconds, and a poll comes at most once
/// a second). A client that comes back with `Last-Event-ID` gets the patches it missed while
/// the ring keeps them, a fresh `data` event otherwise. However many clients, the upstream sees
/// one poller: the stream's own.
///
/// Outlives the stream's runner (an edit or restart replaces the runner, not the feed). Fed by
/// the runner's queue, subscribed to from the server's threads; confined to `queue`, every
/// field but `counters` and `countersChanged` (behind mutexes) is read and written there only.
package final class ServedFeed: @unchecked Sendable {
    private struct Patch {
        var from: Int
        var to: Int
        var frame: [UInt8]
    }

    package let id: String
    private let queue: DispatchQueue
    private let time: any Scheduler
    private var document: JSONTree?
    /// The body size of the poll that brought the document: what a polling client fetches.
    private var documentBodyBytes = 0
    private var version: Int
    /// What a client joining at `version` is sent (`retry:`, then `event: data` with the document),
    /// encoded once: every client gets this one buffer, so a client that does not read holds a
    /// reference to it, not a copy of the document.
    private var snapshotFrame: (version: Int, joining: [UInt8])?
    private var ring: [Patch] = []
    private var ringBytes = 0
    private var clients: [ObjectIdentifier: any FeedClient] = [:]
    private var heartbeat: ScheduledWork?
    private var closed = false
    /// `event: error` of the upstream's current trouble (nil: none since the last document).
    private var trouble: [UInt8]?
    private let counters = Mutex(ServedCounters())
    private let countersChanged = Mutex<(@Sendable () -> Void)?>(nil)

    /// Patches kept for clients that resume: at most this many, and this many bytes.
    package static let ringPatches = 1_000
    package static let ringBytes = 4 << 20
    package static let heartbeatInterval: Duration = .seconds(15)
    /// What a client is told to wait before reconnecting (EventSource's `retry:`).
    package static let retryMilliseconds = 2_000

    /// `firstVersion`: the version before the first document (see the type's comment).
    package init(id: String, firstVersion: Int, time: any Scheduler) {
        self.id = id
        version = firstVersion
        self.time = time
        queue = DispatchQueue(label: "streamtop.served.\(id)")
        counters.withLock { $0.version = firstVersion }
    }

    /// What the feed has done so far (any thread).
    package var snapshot: ServedCounters { counters.withLock { $0 } }

    /// Called (on the feed's queue) when the counters have changed: a client joined or left, or a
    /// poll was counted after the stream published it. The stream's runner sets it, to publish them.
    package func onCountersChanged(_ action: (@Sendable () -> Void)?) {
        countersChanged.withLock { $0 = action }
    }

    // MARK: The stream's side

    /// A poll brought `document` (`bodyBytes` decoded): clients get its patch when it changed.
    /// `patch` is the diff from the document this feed holds, or nil when the poller cannot
    /// vouch for that (its first body): the feed then diffs itself.
    package func update(document next: JSONTree, patch: JSONPatch?, bodyBytes: Int) {
        queue.async { [self] in
            guard !closed else { return }
            // The stream published this poll already, without what it did here.
            defer { countersChanged.withLock { $0 }?() }
            polled(bodyBytes: bodyBytes)
            documentBodyBytes = bodyBytes
            trouble = nil
            guard let current = document else {
                document = next
                version += 1
                setVersion()
                broadcast(dataFrame())
                return
            }
            let diff = patch ?? JSONDiff.diff(from: current, to: next)
            document = next
            guard !diff.isEmpty else { return }
            let from = version
            version += 1
            setVersion()
            let frame = SSEFrame.event("patch", id: String(version), data: JSONWriter.data(diff.json))
            keep(Patch(from: from, to: version, frame: frame))
            broadcast(frame)
        }
    }

    /// The upstream failed, or the stream stopped: clients are told once, with an `event: error`
    /// (Streamdata's; no `id:`, so it moves no client's `Last-Event-ID`), as are clients that join
    /// before the next document. `message` is said to anonymous clients: never the upstream's
    /// body or anything of the stream's settings.
    package func trouble(_ message: String, status: Int? = nil) {
        queue.async { [self] in
            guard !closed, trouble == nil else { return }
            var object: JSONObject = ["message": .string(message)]
            if let status { object["status"] = .number(JSONNumber(status)) }
            let frame = SSEFrame.event("error", data: JSONWriter.data(.object(object)))
            trouble = frame
            broadcast(frame)
        }
    }

    /// A poll that brought no body (304 Not Modified): polling clients would have fetched
    /// nothing either, but the poll still counts.
    package func notModified() {
        queue.async { [self] in
            trouble = nil
            polled(bodyBytes: 0)
            countersChanged.withLock { $0 }?()
        }
    }

    /// Ends every client's response and takes no more (the stream was removed or is no longer
    /// served). Its clients reconnect and are told so.
    package func close() {
        queue.async { [self] in
            closed = true
            heartbeat?.cancel()
            heartbeat = nil
            for client in clients.values { client.finish() }
            clients.removeAll()
            counters.withLock { $0.clients = 0 }
        }
    }

    /// Returns once what was asked of the feed so far has run.
    package func sync() {
        queue.sync {}
    }

    // MARK: The clients' side

    /// Adds a client: `retry:`, then what it missed (or the document) at once, then every change.
    package func subscribe(_ client: any FeedClient, lastEventID: String?) {
        queue.async { [self] in
            guard !closed else { return client.finish() }
            var frames = ServedFeed.retryFrame
            if let resumed = lastEventID.flatMap({ Int($0.trimmingCharacters) }).flatMap(missed(after:)) {
                for patch in resumed { frames += patch.frame }
            } else if document != nil {
                frames = joiningFrame()
                // A polling client would have fetched the document to start with, too.
                counters.withLock { $0.pollBytes += Int64(documentBodyBytes) }
            }
            if let trouble { frames += trouble }
            // Counted before it is sent: whoever sees the bytes arrive sees them counted.
            let key = ObjectIdentifier(client)
            clients[key] = client
            counters.withLock {
                $0.clients = clients.count
                $0.connections += 1
                $0.sentBytes += Int64(frames.count)
            }
            guard client.send(frames) else {
                clients[key] = nil
                counters.withLock {
                    $0.clients = clients.count
                    $0.sentBytes -= Int64(frames.count)
                }
                return
            }
            client.onClose { [weak self] in self?.leave(key) }
            startHeartbeat()
            countersChanged.withLock { $0 }?()
        }
    }

    private func leave(_ key: ObjectIdentifier) {
        queue.async { [self] in
            guard clients.removeValue(forKey: key) != nil else { return }
            counters.withLock { $0.clients = clients.count }
            countersChanged.withLock { $0 }?()
        }
    }

    // MARK: On the queue

    private func polled(bodyBytes: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        let clientCount = Int64(clients.count)
        counters.withLock {
            $0.polls += 1
            $0.pollBytes += clientCount * Int64(bodyBytes)
        }
    }

    private func setVersion() {
        counters.withLock { $0.version = version }
    }

    private static let retryFrame = SSEFrame.retry(milliseconds: retryMilliseconds)

    /// `event: data` with the document (for the clients that were waiting for the first one).
    private func dataFrame() -> [UInt8] {
        Array(joiningFrame().dropFirst(ServedFeed.retryFrame.count))
    }

    /// What a client that joins without resuming is sent: `retry:`, then the document.
    private func joiningFrame() -> [UInt8] {
        dispatchPrecondition(condition: .onQueue(queue))
        if let snapshotFrame, snapshotFrame.version == version { return snapshotFrame.joining }
        let data = document.map { JSONWriter.data($0) } ?? Array("null".utf8)
        let joining = ServedFeed.retryFrame + SSEFrame.event("data", id: String(version), data: data)
        snapshotFrame = (version, joining)
        return joining
    }

    /// The patches after `version`, in order (empty: up to date); nil when the ring no longer
    /// holds them, or never did (another process's version, a version from the future), or
    /// when they outweigh the document: the snapshot, encoded once for every client, is then
    /// both less to send and less to hold per client (a crafted `Last-Event-ID` cannot make
    /// each of thousands of clients hold megabytes of the ring).
    private func missed(after version: Int) -> [Patch]? {
        dispatchPrecondition(condition: .onQueue(queue))
        guard document != nil else { return nil }
        if version == self.version { return [] }
        guard let start = ring.firstIndex(where: { $0.from == version }) else { return nil }
        let patches = ring[start...]
        let bytes = patches.reduce(0) { $0 + $1.frame.count }
        guard bytes <= joiningFrame().count else { return nil }
        return Array(patches)
    }

    private func keep(_ patch: Patch) {
        ring.append(patch)
        ringBytes += patch.frame.count
        var drop = 0
        while drop < ring.count, ringBytes > ServedFeed.ringBytes || ring.count - drop > ServedFeed.ringPatches {
            ringBytes -= ring[drop].frame.count
            drop += 1
        }
        if drop > 0 { ring.removeFirst(drop) }
    }

    /// Sends `frame` to every client; a client that cannot take it (gone, or so far behind that
    /// its backlog is full) is dropped, and may resume with `Last-Event-ID`.
    private func broadcast(_ frame: [UInt8]) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !clients.isEmpty else { return }
        // Counted before it is sent (see `subscribe`), taken back for the clients that refuse it.
        let size = Int64(frame.count)
        let offered = Int64(clients.count)
        counters.withLock { $0.sentBytes += offered * size }
        var refused = 0
        for (key, client) in clients where !client.send(frame) {
            clients[key] = nil
            refused += 1
        }
        guard refused > 0 else { return }
        let count = clients.count
        counters.withLock {
            $0.sentBytes -= Int64(refused) * size
            $0.dropped += Int64(refused)
            $0.clients = count
        }
        countersChanged.withLock { $0 }?()
    }

    private func startHeartbeat() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard heartbeat == nil, !clients.isEmpty, !closed else { return }
        heartbeat = time.schedule(after: ServedFeed.heartbeatInterval, on: queue) { [weak self] in self?.beat() }
    }

    private func beat() {
        dispatchPrecondition(condition: .onQueue(queue))
        heartbeat = nil
        broadcast(SSEFrame.comment("heartbeat"))
        startHeartbeat()
    }
}

/// A client of a served stream: the body of one `text/event-stream` response (the server's
/// response stream, adapted by the service).
package protocol FeedClient: AnyObject, Sendable {
    /// Queues `bytes`; false when the client has gone or fell too far behind.
    func send(_ bytes: [UInt8]) -> Bool
    func finish()
    /// Called once when the connection ends for any reason.
    func onClose(_ action: @escaping @Sendable () -> Void)
}
