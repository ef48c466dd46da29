import Dispatch
import StreamCore
import StreamEngine
import StreamService

/// Follows `/v1/events` of an engine for an attached monitor, with the engine's own SSE
/// machinery: the `data` snapshot read into rows, each `patch` applied to them
/// (`RemoteStreams`), alerts passed on. A lost connection is said once and retried as any SSE
/// stream is, and the next attempt asks for a fresh snapshot (the engine may have restarted,
/// its versions with it).
///
/// Confined to `queue`: every field is read and written there only (the connection reports
/// there).
final class RemoteFeed: @unchecked Sendable {
    private let client: ServiceClient
    private let state: RemoteState
    private let time: any Scheduler
    private let wall: any WallClock
    private let queue = DispatchQueue(label: "streamtop.attach.events")
    private var connection: SSEConnection?
    private var streams = RemoteStreams()
    /// Whether the current connection delivered its `data` snapshot: patches apply to it.
    private var loaded = false
    private let parseOptions = JSONParser.Options(
        maxBytes: ServiceClient.maxBody, maxMemoryBytes: 8 * ServiceClient.maxBody)
    private var tokens = PointerTokenCache()
    /// Whether the current connection delivered its snapshot (the rows are live).
    private var live = false
    private var stopped = false
    private var toldUnreadable: Set<String> = []
    /// Called when the rows are live again after the connection was lost.
    private let reconnected: @Sendable () -> Void

    /// How long `/v1/events` may stay silent (it sends a heartbeat every 15 s).
    static let stall: Duration = .seconds(45)

    init(
        client: ServiceClient, state: RemoteState, time: any Scheduler, wall: any WallClock,
        reconnected: @escaping @Sendable () -> Void
    ) {
        self.client = client
        self.state = state
        self.time = time
        self.wall = wall
        self.reconnected = reconnected
    }

    func start() {
        queue.async { [self] in
            guard !stopped, connection == nil else { return }
            var options = client.sseOptions(path: "/v1/events")
            options.stall = RemoteFeed.stall
            options.maxEventBytes = ServiceClient.maxBody
            let connection = SSEConnection(options: options, loop: client.curlLoop, queue: queue, time: time) {
                [weak self] report in self?.handle(report)
            }
            self.connection = connection
            connection.start()
        }
    }

    func stop() {
        queue.sync {
            stopped = true
            connection?.stop()
            connection = nil
        }
    }

    private func handle(_ report: SSEConnection.Report) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !stopped else { return }
        switch report {
        case .item(.event(let event)):
            switch event.type {
            case "data": load(event)
            case "patch": apply(event)
            case "alert": passOn(alert: event.data)
            default: break
            }
        case .item(.eventTooLarge(let type, _, let limit)):
            let reason = "an event of /v1/events was larger than \(HumanUnits.bytes(limit))"
            if type == "data" || type == "patch" { resynchronize(reason) }
        case .closed(let quoted, let ending, _):
            guard ending != .stopped else { return }
            let reason = RemoteFeed.readable(quoted)
            live = false
            // The next attempt asks for a fresh snapshot, whatever engine answers it.
            resynchronize(reason)
            let now = time.now()
            let before = state.changeAttachment { attachment in
                if attachment.lostAt == nil { attachment.lostAt = now }
                attachment.problem = reason
            }
            if !before.isLost {
                let who = before.pid.map { "streamtop (pid \($0))" } ?? "streamtop"
                state.alert("lost \(who): \(Sanitizer.line(reason)); the rows are stale until it is back",
                            recovered: false)
            }
        default:
            break
        }
    }

    /// The whole body: every row read again (perhaps from another engine).
    private func load(_ event: SSEEvent) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let body = try? JSONParser.parse(event.data, options: parseOptions) else {
            return resynchronize("the status of /v1/events is not JSON")
        }
        loaded = true
        changed(streams.update(from: body, fresh: true, wall: WallTime(time: time, wall: wall)))
    }

    private func apply(_ event: SSEEvent) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard loaded else { return resynchronize("a patch of /v1/events came before its status") }
        switch JSONPatch.read(event.data, options: parseOptions, tokens: &tokens) {
        case .failure(let error):
            resynchronize("a patch of /v1/events could not be read: \(error)")
        case .success(let patch):
            do {
                changed(try streams.apply(patch, wall: WallTime(time: time, wall: wall)))
            } catch {
                resynchronize("a patch of /v1/events did not apply: \(error)")
            }
        }
    }

    /// The rows moved (or not): published; and the connection is live again if it was lost.
    private func changed(_ moved: Bool) {
        if moved {
            state.publish(streams.snapshots, disk: streams.disk)
            sayUnreadable()
        }
        if !live {
            live = true
            let before = state.changeAttachment { $0.lostAt = nil; $0.problem = nil }
            if before.isLost { reconnected() }
        }
    }

    /// Asks the engine for a fresh snapshot: what is held is no longer its status.
    private func resynchronize(_ reason: String) {
        loaded = false
        connection?.resynchronize(reason: reason)
    }

    /// Streams whose STATUS this monitor cannot read (an engine of another version): said once
    /// for each set of them, since they are missing from the rows.
    private func sayUnreadable() {
        let ids = Set(streams.unreadable.keys)
        guard ids != toldUnreadable else { return }
        toldUnreadable = ids
        guard let (id, reason) = streams.unreadable.min(by: { $0.key < $1.key }) else { return }
        let others = ids.count > 1 ? " (and \(ids.count - 1) more)" : ""
        let message = "cannot show stream \(id)\(others): its status reads wrong here: \(reason)"
        state.alert(stream: id, message, recovered: false)
    }

    /// A close reason that quotes the API's error body (`HTTP 401: {"error": {…}}`) says its
    /// message instead, as the command line would.
    static func readable(_ reason: String) -> String {
        guard reason.hasPrefix("HTTP "), let colon = reason.range(of: ": {"),
              let json = try? JSONParser.parse(String(reason[reason.index(before: colon.upperBound)...])),
              let message = json["error"]?["message"]?.stringValue else { return reason }
        return reason[..<colon.lowerBound] + ": " + message
    }

    /// `{"sequence", "stream", "message", "recovered"}`.
    private func passOn(alert data: String) {
        guard let json = try? JSONParser.parse(data), let message = json["message"]?.stringValue else { return }
        state.alert(stream: json["stream"]?.stringValue ?? "", message, recovered: json["recovered"] == .bool(true))
    }
}
