import Dispatch
import Foundation
import StreamCore
import StreamEngine

/// `streamtop tail URL`: the same records as for a capture, from a live stream kept alive by
/// the engine (`SSEConnection`), plus `connect`, `open`, `close` and `reconnect` records.
struct TailURL {
    let command: TailCommand

    /// Shared between the stream's queue (which renders) and the thread that waits for the end.
    private final class State: @unchecked Sendable {  // touched on `queue` only, then read after `done`
        var consumer: TailConsumer
        var unrecovered = false
        /// The items of the piece being reported, consumed once it is handled.
        var pending = TailBatch()
        /// `--poll`: polls made, and how many of them failed.
        var polls = 0
        var failedPolls = 0
        let output: OutputSink
        init(consumer: TailConsumer, output: OutputSink) {
            self.consumer = consumer
            self.output = output
        }

        func consumePending() {
            guard !pending.items.isEmpty else { return }
            consumer.consume(pending)
            pending = TailBatch(lastEventID: consumer.totals.lastEventID)
        }
    }

    /// The records of a report that is not a piece's item.
    private func record(_ report: SSEConnection.Report, state: State, done: DispatchSemaphore) {
        switch report {
        case .connecting(let attempt, let lastEventID):
            state.consumer.renderer.connect(attempt: attempt, lastEventID: lastEventID)
        case .open(let status, let contentType):
            state.consumer.renderer.open(status: status, contentType: contentType)
        case .closed(let reason, let ending, let status):
            // A resynchronisation's error was said when it happened.
            if ending.isError && ending != .resynchronizing {
                state.consumer.error(reason, status: status)
                if !command.reconnect { state.unrecovered = true }
            }
            state.consumer.renderer.close(reason: reason)
        case .reconnecting(let delay):
            state.consumer.countReconnect()
            state.consumer.renderer.reconnect(delayMilliseconds: Int(delay.nanoseconds / 1_000_000))
        case .bytes(let counts):
            state.consumer.addBytes(counts.wireBytes)
        case .finished:
            done.signal()
        case .stoppedByServer, .received, .pieceHandled, .response, .item, .prepared:
            break
        }
    }

    func run(_ context: CommandContext) -> Int32 {
        let loop: CurlLoop
        do { loop = try CurlLoop(environment: context.environment) } catch {
            context.complain("\(error)")
            return 1
        }
        defer { loop.shutdown() }
        if let interval = command.pollInterval { return poll(every: interval, loop: loop, context) }
        var options = SSEConnection.Options(url: command.source)
        options.headers = command.headers
        options.scrubber = scrubber
        options.reconnect = command.reconnect
        options.stall = command.stall
        options.unixSocket = command.unixSocket
        let parseOptions = JSONParser.Options()
        // Events are parsed on the connection's queue while `queue` applies and renders the ones
        // before (two cores for a busy stream).
        options.prepare = parseOptions
        let queue = DispatchQueue(label: "streamtop.tail")
        let state = State(
            consumer: TailConsumer(renderer: TailRenderer(jsonl: command.jsonl, includeDocument: command.includeDocument, quiet: command.quiet), maxEvents: command.maxEvents),
            output: context.output)
        let done = DispatchSemaphore(value: 0)
        var connection: SSEConnection?
        let parsing = DispatchQueue(label: "streamtop.tail.sse")
        connection = SSEConnection(options: options, loop: loop, queue: parsing, deliveryQueue: queue) { report in
            // On `queue`. A piece's events are consumed together once it is handled, and its
            // records written at once.
            switch report {
            case .item(.event(let event)):
                state.pending.append(Document.prepare(event, options: parseOptions))
                state.pending.lastEventID = event.lastEventID
            case .prepared(let prepared):
                state.pending.append(prepared)
                state.pending.lastEventID = prepared.event.lastEventID
            case .item(.retry(let milliseconds)):
                state.pending.items.append(.retry(milliseconds))
            case .item(.eventTooLarge(let type, let id, let limit)):
                state.pending.items.append(.eventTooLarge(type: type, lastEventID: id, limit: limit))
                state.pending.lastEventID = id
            case .received, .response:
                break
            default:
                // Anything else after the piece's events, in order.
                let wasStale = state.consumer.document.isStale
                state.consumePending()
                record(report, state: state, done: done)
                if !wasStale, let reason = state.consumer.document.staleReason {
                    // Without reconnection the stream cannot be brought back in sync: unrecovered.
                    if !command.reconnect { state.unrecovered = true }
                    connection?.resynchronize(reason: "resynchronizing: \(reason)")
                }
                if state.consumer.limitReached { connection?.stop() }
                if !state.consumer.renderer.isEmpty { state.output.write(state.consumer.renderer.take()) }
                state.output.flush()
            }
        }
        connection?.start()
        waitForTheEnd(done, context) { connection?.stop() }
        summarize(state, on: queue)
        connection = nil
        return state.unrecovered ? 1 : 0
    }

    /// `--poll SECONDS`: one `poll` record per response.
    private func poll(every interval: Duration, loop: CurlLoop, _ context: CommandContext) -> Int32 {
        var options = PollConnection.Options(url: command.source)
        options.headers = command.headers
        options.scrubber = scrubber
        options.interval = interval
        options.unixSocket = command.unixSocket
        let queue = DispatchQueue(label: "streamtop.tail.poll")
        let state = State(
            consumer: TailConsumer(renderer: TailRenderer(jsonl: command.jsonl, includeDocument: command.includeDocument, quiet: command.quiet), maxEvents: command.maxEvents),
            output: context.output)
        let done = DispatchSemaphore(value: 0)
        var poller: PollConnection?
        poller = PollConnection(options: options, loop: loop, queue: queue) { report in
            switch report {
            case .poll(let poll):
                state.polls += 1
                if poll.error != nil { state.failedPolls += 1 }
                state.consumer.record(poll)
                if state.consumer.limitReached { poller?.stop() }
            case .finished:
                done.signal()
            }
            if !state.consumer.renderer.isEmpty { state.output.write(state.consumer.renderer.take()) }
            state.output.flush()
        }
        poller?.start()
        waitForTheEnd(done, context) { poller?.stop() }
        summarize(state, on: queue)
        poller = nil
        // Every poll failed: nothing was ever read, an unrecovered error.
        return queue.sync { state.polls > 0 && state.failedPolls == state.polls ? 1 : 0 }
    }

    /// What a server must not echo back onto the terminal: the credentials of `--header` and the URL.
    private var scrubber: Redactor.Scrubber {
        let spec = StreamSpec(id: "tail", name: "tail", url: command.source, headers: command.headers)
        return Redactor.Scrubber(secrets: spec.secrets)
    }

    /// Waits until the stream reports its end, stopping it on Ctrl-C or at `--timeout`.
    private func waitForTheEnd(_ done: DispatchSemaphore, _ context: CommandContext, stop: () -> Void) {
        let deadline = command.timeout.map { DispatchTime.now() + .nanoseconds(Int($0.nanoseconds)) }
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            // A reader that went away (`| head`) ends it too.
            if context.interrupted() || context.output.isClosed || deadline.map({ DispatchTime.now() >= $0 }) == true {
                stop()
                done.wait()
                return
            }
        }
    }

    /// The summary line, written once the stream's queue is idle.
    private func summarize(_ state: State, on queue: DispatchQueue) {
        queue.sync {
            state.consumer.finish()
            state.output.write(state.consumer.renderer.take())
            state.output.flush()
        }
    }
}
