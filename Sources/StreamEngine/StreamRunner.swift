import Dispatch
import StreamCore

/// One registered stream at work: its connection (SSE or poll), its document, its metrics
/// and its state, on one serial queue; it publishes a `StreamSnapshot` at most every 100 ms
/// however many events arrive, and writes its log and archive when the engine has a state
/// directory.
final class StreamRunner: @unchecked Sendable {  // mutable state is confined to `queue`
    let spec: StreamSpec
    /// The URL as shown everywhere (credentials redacted), computed once: it goes into every
    /// published snapshot.
    private let shownURL: String
    /// Replaces the stream's own secrets in what servers send back, before it is logged,
    /// published (status.json, the monitor) or notified.
    private let scrubber: Redactor.Scrubber
    let queue: DispatchQueue
    /// Where an SSE stream's connection reads and parses its events (`SSEConnection.queue`).
    private let parsing: DispatchQueue
    /// The data of the event being recorded, escaped for its archive and log lines.
    private var escapedData = EscapedData()
    private let loop: CurlLoop
    private let store: SnapshotStore
    /// The clock, and every deadline of the stream (its connection's too).
    let time: any Scheduler
    let wall: any WallClock
    private let log: StreamLog?
    let archive: StreamArchive?
    /// When this runner began (its metrics count from then): the `run` of its archived counters.
    let runStarted: UTCTime
    /// The minute's archive chores (see `StreamRunner+Archive.swift`) while the stream runs.
    var archiveTimer: ScheduledWork?
    /// Shutdown sent the archive to S3: nothing more is archived.
    var archiveEnded = false

    private var document = Document()
    /// The feed that serves this poll stream to clients (`"serve": true`); it outlives the runner.
    private let served: ServedFeed?
    /// Whether the current poller has fed `served` (its patches are then from the feed's document).
    private var servedFromThisPoller = false
    /// Small: one stream among thousands, whose patches name a few members again and again.
    private(set) var metrics: StreamMetrics
    private(set) var status: StreamStatus
    /// Grows with every publication, across a replaced runner too (see `Engine.replace`):
    /// a client keys a stream's numbers on it.
    private var version: Int
    private var lastPublished: Moment?
    private var publishPending = false
    /// Log or archive lines gathered and not yet written.
    private var linesPending = false
    private var flushScheduled = false
    /// Between a piece of the body arriving and its last event: lines wait for the end.
    private var handlingPiece = false
    private var wireSoFar: Int64 = 0
    private var sse: SSEConnection?
    private var poller: PollConnection?
    private var stoppedByServer = false
    /// `restart` stopped the connection: start again when it has finished.
    private var startWhenFinished = false
    /// Removed or replaced (an edit): it stops and publishes nothing more, so its last reports
    /// cannot bring back a deleted row or overwrite its successor's.
    private var retired = false
    private let notifier: Notifier?
    private var logHealth = StorageHealth()
    private var archiveHealth = StorageHealth()
    private var alerts: AlertPolicy
    private var alertTimer: ScheduledWork?
    /// Whether errors keep coming, whatever the state says (see `IncidentTracker`).
    private var incident = IncidentTracker()
    /// How the SSE connection's last attempt ended (what its wait for the next one means).
    private var lastEnding: SSEConnection.Ending?

    static let publishInterval: Duration = .milliseconds(100)

    /// The first 200 bytes of an event's data for its log line, cut at a character boundary
    /// (by UTF-8 bytes: counting grapheme clusters cost more than parsing the event).
    static func excerpt(_ data: String, bytes limit: Int = EscapedData.excerptBytes) -> String {
        var data = data
        return data.withUTF8 { utf8 in
            let end = EscapedData.excerptEnd(utf8, bytes: limit)
            return String(decoding: UnsafeBufferPointer(rebasing: utf8[..<end]), as: UTF8.self)
        }
    }

    /// A seed from the stream's id that is the same in every run (String.hashValue is not).
    static func stableSeed(_ id: String) -> UInt64 {
        id.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    init(
        spec: StreamSpec, loop: CurlLoop, store: SnapshotStore, time: any Scheduler, wall: any WallClock,
        stateDirectory: String?, notifier: Notifier?, target: DispatchQueue?, parseTarget: DispatchQueue? = nil,
        changeWindow: Duration = .seconds(60),
        storage: StorageLimits = StorageLimits(), ledger: DiskLedger = DiskLedger(), firstVersion: Int = 0,
        served: ServedFeed? = nil
    ) {
        version = firstVersion
        self.served = served
        self.spec = spec
        shownURL = Redactor.url(spec.url)
        scrubber = Redactor.Scrubber(secrets: spec.secrets)
        self.loop = loop
        self.store = store
        self.time = time
        self.wall = wall
        queue = DispatchQueue(label: "streamtop.stream.\(spec.id)", target: target)
        // On another core's target than `queue`: a busy stream's events are parsed there while
        // `queue` applies and records the ones before.
        parsing = DispatchQueue(label: "streamtop.stream.\(spec.id).sse", target: parseTarget)
        self.notifier = notifier
        alerts = AlertPolicy(
            threshold: .seconds(spec.notify?.after ?? NotifySpec.defaultAfter),
            repeatInterval: spec.notify?.repeat.map { .seconds($0) })
        metrics = StreamMetrics(start: time.now(), changeWindow: changeWindow)
        runStarted = wall.now()
        status = StreamStatus(state: .idle, since: time.now())
        log = stateDirectory.map {
            StreamLog(directory: "\($0)/logs", stream: spec.id, maxFileBytes: storage.logFileBytes, ledger: ledger)
        }
        archive = stateDirectory.map {
            StreamArchive(
                root: "\($0)/archive", stream: spec.id, maxBytes: storage.archiveBytes,
                partBytes: storage.archivePartBytes, segmentSeconds: storage.archiveSegmentSeconds, ledger: ledger,
                waitsForUpload: storage.archiveWaitsForUpload)
        }
        publishNow()
        // A client joining or leaving changes the counters this stream publishes.
        served?.onCountersChanged { [weak self] in
            guard let self else { return }
            queue.async { self.schedulePublish() }
        }
    }

    /// Whether a person (or autostart) wants the stream to run: set by start and restart,
    /// cleared by stop. Read on the queue, after what was asked before has run.
    private var wanted = false

    /// Whether the stream runs or was asked to (a stream told to stop by its server does not):
    /// what an edit keeps, even before the stream has published its first state.
    var isWanted: Bool {
        queue.sync { wanted && !stoppedByServer }
    }

    func start() {
        queue.async { [self] in
            wanted = true
            guard sse == nil && poller == nil else { return }
            stoppedByServer = false
            switch spec.mode {
            case .sse:
                var options = SSEConnection.Options(url: spec.url)
                options.headers = spec.headers
                options.stall = .seconds(spec.stall)
                options.compress = spec.compress
                options.scrubber = scrubber
                options.maxServerRetry = .seconds(spec.maxRetry)
                lastEnding = nil
                options.caFile = spec.caFile
                options.prepare = JSONParser.Options()
                // The connection holds its runner until it has finished (`.finished` lets go of
                // it): a stream removed while connected still logs its close and its stop.
                let connection = SSEConnection(
                    options: options, loop: loop, queue: parsing, deliveryQueue: queue, time: time,
                    seed: StreamRunner.stableSeed(spec.id)
                ) { [self] report in
                    handle(report)
                }
                sse = connection
                // Said at once: an API that answers "started" shows the stream at work, not idle.
                setState(.connecting(attempt: 1))
                connection.start()
            case .poll:
                var options = PollConnection.Options(url: spec.url)
                options.headers = spec.headers
                options.interval = .seconds(spec.interval)
                options.compress = spec.compress
                options.scrubber = scrubber
                options.caFile = spec.caFile
                // Spread first polls over the interval, so hundreds of pollers don't fire at once
                // (seeded by the stream's id: the same stream starts at the same offset).
                var random = SplitMix64(seed: StreamRunner.stableSeed(spec.id))
                options.initialDelay = .milliseconds(Int.random(in: 0..<(spec.interval * 1000), using: &random))
                servedFromThisPoller = false
                let poller = PollConnection(options: options, loop: loop, queue: queue, time: time) { [self] report in
                    handle(report)  // held until finished, as for a stream
                }
                self.poller = poller
                // Until its first poll, a poller says when that will be rather than "connecting".
                setState(options.initialDelay > .zero ? .waiting(firstPoll: time.now() + options.initialDelay) : .connecting(attempt: 1))
                poller.start()
            }
            schedulePublish()
        }
    }

    /// Stops the stream: it says `stopped` at once (what a person who asked sees next, through
    /// the API too), while its connection ends on the loop; nothing it reports meanwhile shows
    /// it running again.
    func stop() {
        queue.async { [self] in
            wanted = false
            startWhenFinished = false
            let connected = sse != nil || poller != nil
            sse?.stop()
            poller?.stop()
            if connected && !stoppedByServer { setState(.stopped) }
        }
    }

    /// Stops for good and goes quiet; returns once no publication can follow (on the
    /// stream's queue, so anything already queued has run).
    func retire() {
        queue.sync {
            retired = true
            flushFiles()
            startWhenFinished = false
            alertTimer?.cancel()
            sse?.stop()
            poller?.stop()
        }
    }

    /// Stops the connection and starts a new one (a fresh snapshot); starts a stopped stream.
    func restart() {
        queue.async { [self] in
            wanted = true
            if sse == nil && poller == nil { return start() }
            startWhenFinished = true
            sse?.stop()
            poller?.stop()
        }
    }

    /// Lets go of the log and archive files, written up to now; the next lines open them by
    /// name again (SIGHUP).
    func reopenFiles() {
        queue.async { [self] in
            flushFiles()
            logging { try $0.reopen() }
            archiving { try $0.reopen() }
        }
    }

    /// The current document (nil before the first snapshot or body).
    func currentDocument() -> JSONValue? {
        queue.sync { document.current }
    }

    /// The document as it is (its storage shared until the next event changes it).
    func currentTree() -> JSONTree? {
        queue.sync { document.tree }
    }

    /// The last `limit` log entries, oldest first. Which files and how far is settled on the
    /// stream's queue; the reading and parsing happen on the caller's thread.
    func recentLog(limit: Int) -> [LogEntry] {
        queue.sync { log?.tail() }?.read(limit: limit) ?? []
    }

    private func finished() {
        if startWhenFinished {
            startWhenFinished = false
            start()
        }
    }

    // MARK: Reports (on `queue`)

    private func handle(_ report: SSEConnection.Report) {
        let now = time.now()
        switch report {
        case .connecting(let attempt, let lastEventID):
            wireSoFar = 0
            setState(.connecting(attempt: attempt))
            write(.info, "connect", ["url": .string(shownURL), "attempt": .number(JSONNumber(attempt)), "lastEventId": lastEventID.map { .string($0) } ?? .null])
        case .response(let statusCode, let headers, let elapsed):
            // Headers as received, with credentials (Set-Cookie, tokens, what we sent) redacted.
            let shown = JSONObject(headers.map { ($0.name, JSONValue.string(Redactor.header(name: $0.name, value: $0.value))) })
            write(statusCode == 200 ? .info : .warn, "response", [
                "status": .number(JSONNumber(statusCode)), "headers": .object(shown),
                "milliseconds": .number(JSONNumber(Int(elapsed.nanoseconds / 1_000_000))),
            ])
        case .open:
            setState(.open)
        case .pieceHandled:
            handlingPiece = false
            flushFiles()
        case .received(_, let wireBytesSoFar):
            handlingPiece = true
            if wireBytesSoFar > wireSoFar {
                metrics.recordWire(bytes: Int(wireBytesSoFar - wireSoFar), at: now)
                wireSoFar = wireBytesSoFar
            }
        case .item(.event(let event)):
            consume(Document.prepare(event, options: JSONParser.Options()), at: now)
        case .prepared(let prepared):
            consume(prepared, at: now)
        case .item(.retry(let milliseconds)):
            write(.info, "retry", ["ms": .number(JSONNumber(milliseconds))])
        case .item(.eventTooLarge(let type, _, let limit)):
            let limitText = HumanUnits.bytes(limit)
            let reason = "a \(Sanitizer.line(type)) event larger than the limit of \(limitText) was dropped"
            let stale = document.dropped(eventType: type, reason: reason)
            recordError(reason, at: now)
            write(.error, "error", ["reason": .string(reason)])
            if stale { sse?.resynchronize(reason: "resynchronizing: \(reason)") }
        case .closed(let reason, let ending, let statusCode):
            lastEnding = ending
            // A resynchronisation's error was counted when it happened.
            // The alert waits for the state that follows (failed, stalled), a moment later.
            if ending.isError && ending != .resynchronizing { recordError(reason, at: now, check: false) }
            write(ending.isError ? .warn : .info, "close", [
                "reason": .string(reason), "status": statusCode.map { .number(JSONNumber($0)) } ?? .null,
            ])
        case .bytes(let counts):
            if counts.wireBytes > wireSoFar { metrics.recordWire(bytes: Int(counts.wireBytes - wireSoFar), at: now) }
            wireSoFar = 0
        case .reconnecting(let delay):
            metrics.recordReconnect(at: now)
            let next = now + delay
            let attempt = Int(metrics.reconnects)
            if lastEnding?.isError == true {
                // A failed attempt stays an error while the stream waits for the next one.
                incident.error(at: now, until: next)
            } else if delay >= alerts.threshold {
                // The server asked for a wait longer than a person should go unwarned.
                incident.error(at: now, until: next)
                status.lastError = "the server asked to wait \(SSEConnection.describe(delay)) before reconnecting"
            }
            switch lastEnding {
            case .stalled: setState(.stalled(nextAttempt: next, attempt: attempt))
            case .failed, .resynchronizing: setState(.failed(nextAttempt: next, attempt: attempt))
            default: setState(.reconnecting(nextAttempt: next, attempt: attempt))
            }
            checkAlerts()
        case .stoppedByServer:
            stoppedByServer = true
            setState(.stoppedByServer)
        case .finished:
            sse = nil
            if !stoppedByServer { setState(.stopped) }
            archiveRunningChanged(running: false)
            finished()
        }
        // A piece of the body is handled in one block: publish once at its end, at once when
        // the last publication is old enough, instead of queueing a block for it (thousands
        // of quiet streams each save a dispatch per event).
        if handlingPiece { return }
        if case .pieceHandled = report, !publishPending, lastPublished.map({ time.now() - $0 >= StreamRunner.publishInterval }) ?? true {
            return publishNow()
        }
        schedulePublish()
    }

    private func handle(_ report: PollConnection.Report) {
        let now = time.now()
        switch report {
        case .poll(let poll):
            metrics.recordWire(bytes: Int(poll.wireBytes), at: now)
            metrics.recordSkippedPolls(poll.skipped)
            if let error = poll.error {
                let next = now + .seconds(spec.interval)
                // A failed poll stays an error until the next one.
                recordError(error, at: now, until: next)
                setState(.failed(nextAttempt: next, attempt: 1))
                // Said to the served stream's clients without the upstream's words.
                served?.trouble(
                    poll.status.map { "the upstream API answered HTTP \($0)" } ?? "the upstream API cannot be read",
                    status: poll.status)
                write(.warn, "poll", ["status": poll.status.map { .number(JSONNumber($0)) } ?? .null, "error": .string(error)])
            } else {
                metrics.advance(to: now) { document.tree?.hashValue }
                // What a streaming proxy would have sent: the snapshot first, then diffs (`tail
                // --poll` shows the same patch and size).
                if poll.status == 304 {
                    served?.notModified()
                    metrics.recordNotModified(patchBytes: poll.patchBytes, at: now)
                    archiving {
                        try $0.append(kind: "poll", time: wall.now(), fields: [
                            "status": 304, "wireBytes": .number(JSONNumber(Int(poll.wireBytes))),
                            "patchBytes": .number(JSONNumber(poll.patchBytes)),
                        ])
                    }
                    linesWritten()
                } else {
                    metrics.recordPoll(
                        bodyBytes: poll.bodyBytes, patchBytes: poll.patchBytes, changed: poll.changed, at: now)
                    if let body = poll.document {
                        served?.update(
                            document: body, patch: servedFromThisPoller ? poll.patch : nil, bodyBytes: poll.bodyBytes)
                        servedFromThisPoller = true
                        if document.tree == nil { metrics.documentAppeared(hash: body.hashValue) }
                        document.replace(with: body)
                        archiving {
                            try $0.append(kind: "poll", time: wall.now(), fields: [
                                "status": .number(JSONNumber(poll.status ?? 0)),
                                "wireBytes": .number(JSONNumber(Int(poll.wireBytes))),
                                "bodyBytes": .number(JSONNumber(poll.bodyBytes)),
                                "patchBytes": .number(JSONNumber(poll.patchBytes)), "changed": .bool(poll.changed),
                            ], body: body)
                        }
                        linesWritten()
                    }
                }
                setState(.open)
                write(.info, "poll", [
                    "status": poll.status.map { .number(JSONNumber($0)) } ?? .null, "wireBytes": .number(JSONNumber(Int(poll.wireBytes))),
                    "bytes": .number(JSONNumber(poll.bodyBytes)), "changed": .bool(poll.changed), "patchBytes": .number(JSONNumber(poll.patchBytes)),
                    "skipped": .number(JSONNumber(poll.skipped)),
                ])
            }
        case .finished:
            poller = nil
            // Not for an edit or a restart: the next poller takes over at once.
            if !retired && !startWhenFinished {
                served?.trouble("the stream is stopped: its document changes no more until it starts again")
            }
            setState(.stopped)
            archiveRunningChanged(running: false)
            finished()
        }
        schedulePublish()
    }

    private func consume(_ prepared: PreparedEvent, at now: Moment) {
        let event = prepared.event
        metrics.advance(to: now) { document.tree?.hashValue }
        let hadDocument = document.tree != nil
        let wasStale = document.isStale
        let received = wall.now()  // one clock read for the event's two lines
        escapedData.set(event.data)  // once, for both lines
        archiving { try $0.appendEvent(time: received, type: event.type, id: event.lastEventID, data: escapedData) }
        linesWritten()
        switch document.consume(prepared) {
        case .success(let observation):
            metrics.record(observation, at: now)
            if !hadDocument, let current = document.tree { metrics.documentAppeared(hash: current.hashValue) }
            logging {
                try $0.appendEvent(
                    time: received, type: event.type, id: event.lastEventID, bytes: observation.payloadBytes,
                    operations: observation.operations, changed: observation.changed, excerpt: escapedData)
            }
            linesWritten()
        case .failure(let error):
            recordError(error.reason, at: now)
            write(.error, "error", ["reason": .string(error.reason), "event": .string(event.type), "id": .string(event.lastEventID)])
            if !wasStale && document.isStale { sse?.resynchronize(reason: "resynchronizing: \(error.reason)") }
        }
    }

    /// An error of the stream's: counted, shown as its last error, and part of an incident
    /// (lasting `until` the next attempt when the stream waits for one).
    /// The reason is kept with the stream's secrets scrubbed (`noteError`).
    private func recordError(_ reason: String, at now: Moment, until end: Moment? = nil, check: Bool = true) {
        metrics.recordError(at: now)
        noteError(reason)
        incident.error(at: now, until: end)
        if check { checkAlerts() }
    }

    private func setState(_ state: StreamState) {
        // Stopped by a person: a report still on its way (a poll answered, an event) does not
        // show the stream running; only a start does.
        guard state != status.state, wanted || !state.isRunning else { return }
        let wasRunning = status.state.isRunning
        status.state = state
        status.since = time.now()
        metrics.stateChanged(open: state == .open, running: state.isRunning, at: time.now())
        write(.info, "state", ["state": .string(state.name)])
        if state.isRunning && !wasRunning { archiveRunningChanged(running: true) }
        if !state.isRunning {
            // Stopped (by a person or the server): the incident ends without a recovery message.
            incident.reset()
            alerts.reset()
        }
        checkAlerts()
    }

    // MARK: Alerts

    /// Checks again when something is due (the threshold of an incident, a reminder, or the
    /// incident's end after a quiet period): a one-shot timer only while a stream is broken,
    /// because a timer per healthy stream per second costs thousands of wakeups a second.
    private func scheduleAlertCheck() {
        alertTimer?.cancel()
        alertTimer = nil
        guard let due = [alerts.nextCheck, incident.endsAt].compactMap({ $0 }).min() else { return }
        let wait = max(due - time.now(), .milliseconds(1))
        alertTimer = time.schedule(after: wait, on: queue) { [weak self] in self?.checkAlerts() }
    }

    private func checkAlerts() {
        let now = time.now()
        let broken = incident.update(at: now)
        if status.incidentSince != incident.since {
            status.incidentSince = incident.since
            schedulePublish()
        }
        let decision = alerts.update(broken: broken, since: incident.since, at: now)
        scheduleAlertCheck()
        guard let decision, !retired else { return }
        let message: Notifier.Message
        switch decision {
        case .alert(let since, _):
            let sinceWall = UTCTime(secondsSinceEpoch: wall.now().secondsSinceEpoch - (now - since).seconds)
            // Failed or stalled says itself; between attempts (connecting, open) it is failing.
            let state: String
            switch status.state {
            case .failed, .stalled: state = status.state.name
            default: state = "failing"
            }
            message = Notifier.Message(
                stream: spec.id, url: shownURL, state: state,
                reason: status.lastError ?? "no data", since: sinceWall, recovered: false)
        case .recovered(_, let duration):
            message = Notifier.Message(
                stream: spec.id, url: shownURL, state: status.state.name, reason: "",
                since: UTCTime(secondsSinceEpoch: wall.now().secondsSinceEpoch - duration.seconds), recovered: true)
        }
        store.publishAlert(stream: spec.id, message: Sanitizer.line(message.summary), recovered: message.recovered)
        write(message.recovered ? .info : .error, "alert", ["message": .string(message.text)])
        if let notify = spec.notify, let notifier {
            notifier.send(message, spec: notify) { [self] problem in
                // A notifier failing is logged (on the stream's queue); the stream goes on.
                queue.async { self.write(.warn, "notify", ["problem": .string(problem)]) }
            }
        }
    }

    /// Keeps `reason` (which may quote a server) as the stream's last error, its secrets
    /// replaced; returns what was kept.
    @discardableResult
    private func noteError(_ reason: String) -> String {
        let kept = scrubber.scrub(reason)
        status.lastError = kept
        return kept
    }

    /// Writes a log line (not an event's: those go straight to the log). Its text may quote a
    /// server (an error body, a header, a notifier's output): the stream's secrets are replaced.
    func write(_ level: LogEntry.Level, _ kind: String, _ fields: JSONObject) {
        let fields = scrubber.isEmpty ? fields : JSONObject(fields.map { ($0.key, scrubbed($0.value)) })
        logging { try $0.append(LogEntry(time: wall.now(), level: level, kind: kind, fields: fields)) }
        linesWritten()
    }

    private func scrubbed(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(scrubber.scrub(text))
        case .object(let object): return .object(JSONObject(object.map { ($0.key, scrubbed($0.value)) }))
        case .array(let elements): return .array(elements.map(scrubbed))
        default: return value
        }
    }

    /// Log and archive lines are written in bursts: those of a piece of the body when its last
    /// event has been handled, any others once the reports already queued have been. One
    /// `write(2)` per file for a burst instead of one per line; a crash loses at most the lines
    /// of the events being handled.
    func linesWritten() {
        linesPending = true
        guard !handlingPiece && !flushScheduled else { return }
        flushScheduled = true
        queue.async { [self] in
            flushScheduled = false
            flushFiles()
        }
    }

    private func flushFiles() {
        guard linesPending else { return }
        linesPending = false
        if let log, log.hasPending { logging(written: true) { try $0.flush() } }
        if let archive, archive.hasPending { archiving(written: true) { try $0.flush() } }
    }

    // MARK: Storage

    /// Runs `operation` on the log, if there is one, noting a failure; `written` when the
    /// operation reached the disk, so that its success ends a failure (see `StorageHealth`).
    private func logging(written: Bool = false, _ operation: (StreamLog) throws -> Void) {
        guard let log else { return }
        storing(\.logHealth, "log", written: written) { try operation(log) }
    }

    /// `logging` for the archive.
    func archiving(written: Bool = false, _ operation: (StreamArchive) throws -> Void) {
        guard let archive, !archiveEnded else { return }
        storing(\.archiveHealth, "archive", written: written) { try operation(archive) }
    }

    private func storing(_ health: ReferenceWritableKeyPath<StreamRunner, StorageHealth>, _ file: String, written: Bool, _ operation: () throws -> Void) {
        var failure: FileError?
        do { try operation() } catch { failure = error as? FileError }
        guard failure != nil || written, let change = self[keyPath: health].record(failure) else { return }
        storageChanged(file, change)
    }

    /// Says that the stream's `file` ("log" or "archive") failed or is written again: in the
    /// status (status.json, the detail view), as an alert (the monitor's status line), and in
    /// the log when it is the archive that failed.
    private func storageChanged(_ file: String, _ change: StorageHealth.Change) {
        let problems = [logHealth.problem.map { "log: \($0)" }, archiveHealth.problem.map { "archive: \($0)" }].compactMap { $0 }
        status.storageError = problems.isEmpty ? nil : Sanitizer.line(problems.joined(separator: "; "))
        switch change {
        case .failed(let reason):
            store.publishAlert(stream: spec.id, message: Sanitizer.line("\(spec.name): its \(file) cannot be written (\(reason)); retrying"), recovered: false)
            if file == "archive" { write(.error, "storage", ["file": .string(file), "problem": .string(reason)]) }
        case .recovered:
            store.publishAlert(stream: spec.id, message: Sanitizer.line("\(spec.name): its \(file) is written again"), recovered: true)
            write(.info, "storage", ["file": .string(file), "problem": .null])
        }
        schedulePublish()
    }

    // MARK: Publishing

    /// Publishes once the reports already queued have been handled, and at most every
    /// 100 ms: one piece of the body usually brings several reports (bytes, then the event),
    /// and publishing after each of them would build and store the snapshot twice.
    private func schedulePublish() {
        guard !publishPending else { return }
        publishPending = true
        let now = time.now()
        let publish: @Sendable () -> Void = { [self] in
            publishPending = false
            publishNow()
        }
        if let lastPublished, now - lastPublished < StreamRunner.publishInterval {
            let wait = StreamRunner.publishInterval - (now - lastPublished)
            time.schedule(after: wait, on: queue, publish)
        } else {
            queue.async(execute: publish)
        }
    }

    /// The stream's sparkline data now (asked from any thread; answered on the stream's queue).
    func history() -> StreamHistory {
        queue.sync { metrics.history(at: time.now()) }
    }

    func publishNow() {
        guard !retired else { return }
        // What a published snapshot shows is already in the files.
        flushFiles()
        let now = time.now()
        lastPublished = now
        version += 1
        var snapshot = StreamSnapshot(
            id: spec.id, name: spec.name, url: shownURL, mode: spec.mode, group: spec.group,
            status: status, metrics: metrics.snapshot(at: now), version: version)
        snapshot.served = served?.snapshot
        store.publish(snapshot)
    }
}
