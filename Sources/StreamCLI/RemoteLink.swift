import Dispatch
import StreamCore
import StreamEngine
import StreamService
import StreamUI

/// `MonitorLink` over the control API of an engine in another process (`run --headless`, or
/// another monitor): the rows live from `/v1/events` (`RemoteFeed`), a stream's history,
/// document and log as requests the monitor makes off its main thread (`OnDemandFetch`: it
/// never waits on the network for a frame), commands as requests with a short timeout, their
/// errors the API's messages. Quitting detaches: nothing here stops a stream the engine runs.
final class RemoteLink: MonitorLink {
    let client: ServiceClient
    private let state: RemoteState
    private let feed: RemoteFeed
    private let time: any Scheduler
    private let wall: any WallClock
    /// The registry the engine runs, when it is on this machine (edits read a stream's
    /// settings there: the API has no route for them).
    let registryPath: String?
    /// Where `restart` and the health read after a reconnection go (they return nothing).
    let background = DispatchQueue(label: "streamtop.attach.background")

    /// How long a command waits for the engine's answer.
    static let commandTimeout: Duration = .seconds(5)
    /// How long a background fetch may take.
    static let fetchTimeout: Duration = .seconds(15)

    init(
        client: ServiceClient, health: ServiceClient.Health?, registryPath: String? = nil,
        time: any Scheduler = SystemScheduler(), wall: any WallClock = SystemWallClock()
    ) {
        self.client = client
        self.registryPath = registryPath
        self.time = time
        self.wall = wall
        let state = RemoteState(attachment: MonitorAttachment(target: client.endpoint.description))
        self.state = state
        let background = self.background
        feed = RemoteFeed(client: client, state: state, time: time, wall: wall) {
            // Back after a loss: which engine answers now (it may have restarted)?
            background.async { RemoteLink.readHealth(client, state: state, time: time, wall: wall, back: true) }
        }
        if let health { RemoteLink.record(health, state: state, time: time, wall: wall) }
    }

    /// Connects to `/v1/events`.
    func start() { feed.start() }

    /// Detaches: the connection ends; the engine and its streams run on.
    func close() { feed.stop() }

    // MARK: Live state

    func latest() -> (version: Int, snapshots: [StreamSnapshot]) { state.latest() }
    var version: Int { state.version }
    func alerts(after sequence: Int) -> [AlertEvent] { state.alerts(after: sequence) }
    var disk: DiskStatus? { state.disk }
    var attachment: MonitorAttachment? { state.attachment }
    var streamIDs: Set<String> { state.streamIDs }

    /// Says a problem in the status line, as the engine's own alerts are.
    func alert(stream: String, _ message: String) { state.alert(stream: stream, message, recovered: false) }

    // MARK: On demand (requests: never on the monitor's main thread)

    func history(id: String) throws -> StreamHistory? {
        try fetch("/v1/streams/\(ServiceClient.segment(id))/history") { reply in
            reply.json.flatMap { StatusBody.history(json: $0, at: time.now()) }
        }
    }

    func document(id: String) throws -> JSONValue? {
        try fetch("/v1/streams/\(ServiceClient.segment(id))/document") { $0.json }
    }

    func recentLog(id: String, limit: Int) throws -> [LogEntry] {
        let path = "/v1/streams/\(ServiceClient.segment(id))/logs?limit=\(min(max(limit, 0), 1000))"
        return try fetch(path) { RemoteLink.logEntries($0.body) } ?? []
    }

    /// Each is a request: the monitor asks again at most this often while the stream publishes.
    func fetchInterval(_ kind: OnDemandKind) -> Duration {
        switch kind {
        case .history: return .seconds(2)
        case .document: return .seconds(1)
        case .log: return .milliseconds(500)
        }
    }

    /// One GET: the value `read` makes of a success, nil for an answer that has none (404: no
    /// document yet, a stream removed meanwhile); throws when the engine did not answer.
    private func fetch<Value>(_ path: String, read: (ServiceClient.Reply) -> Value?) throws -> Value? {
        assertOffMainThread()
        let reply = try client.request("GET", path, timeout: RemoteLink.fetchTimeout)
        return reply.status == 200 ? read(reply) : nil
    }

    /// The entries of a JSONL body (lines that are not entries are skipped).
    static func logEntries(_ body: [UInt8]) -> [LogEntry] {
        body.split(separator: 0x0A).compactMap { LogEntry.read(line: $0) }
    }

    // MARK: The engine's process

    /// Reads `/v1/health` into the attachment; `back`: after the connection was lost, which it
    /// says (and which engine answers, if another one started meanwhile).
    static func readHealth(
        _ client: ServiceClient, state: RemoteState, time: any Scheduler, wall: any WallClock, back: Bool
    ) {
        let health = try? client.health()
        let before = state.attachment
        if let health { record(health, state: state, time: time, wall: wall) }
        guard back else { return }
        var who = health.map { "streamtop (pid \($0.pid)" } ?? "streamtop (pid unknown"
        if let health, let pid = before.pid, health.pid != pid { who += ", restarted" }
        state.alert("\(who)) is back; the rows are live again", recovered: true)
    }

    private static func record(
        _ health: ServiceClient.Health, state: RemoteState, time: any Scheduler, wall: any WallClock
    ) {
        let started = UTCTime(iso8601: health.startedAt).map { startedAt in
            let ago = wall.now().secondsSinceEpoch - startedAt.secondsSinceEpoch
            return time.now() - .nanoseconds(Int64((ago * 1e9).rounded()))
        }
        state.changeAttachment { attachment in
            attachment.pid = health.pid
            attachment.startedAt = started
        }
    }
}
