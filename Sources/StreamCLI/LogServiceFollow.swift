import Dispatch
import StreamCore
import StreamEngine
import StreamService
import Synchronization

/// `logs -f` with a streamtop running: its `GET /v1/streams/{id}/logs?follow=true`, an event
/// stream of the last entries and then of each new one, on the client's libcurl loop, until
/// Ctrl-C, a reader that went away, or the end of the stream (the streamtop stopped).
struct LogServiceFollow {
    let engine: RunningEngine
    let id: String
    let count: Int
    let printer: LogPrinter

    /// What the connection hands the command's thread: entries, and whether it ended and why.
    private final class Inbox: Sendable {
        struct State {
            var lines: [UInt8] = []
            var closeReason: String?
            var finished = false
        }

        let state = Mutex(State())
        let wake = DispatchSemaphore(value: 0)

        func update(_ change: (inout State) -> Void) {
            state.withLock { change(&$0) }
            wake.signal()
        }

        func take() -> State {
            state.withLock { state in
                defer { state.lines.removeAll() }
                return state
            }
        }
    }

    func run(_ context: CommandContext) -> Int32 {
        // An unknown id is said as such here, not as the event stream's HTTP 404.
        do throws(ServiceError) {
            _ = try engine.client.json("GET", RunningEngine.path(id: id))
        } catch {
            context.complain(RunningEngine.message(error, id: id))
            return 1
        }
        var options = engine.client.sseOptions(path: RunningEngine.path(id: id, "/logs?limit=\(count)&follow=true"))
        // A reconnection would repeat the last entries; a streamtop that ended is said instead.
        options.reconnect = false
        let inbox = Inbox()
        let connection = SSEConnection(
            options: options, loop: engine.client.curlLoop, queue: DispatchQueue(label: "streamtop.logs.follow")
        ) { report in
            switch report {
            case .item(.event(let event)) where event.type == "log":
                inbox.update { $0.lines += Array(event.data.utf8) + [0x0A] }
            case .closed(let reason, _, _):
                inbox.update { $0.closeReason = reason }
            case .finished:
                inbox.update { $0.finished = true }
            default:
                break
            }
        }
        connection.start()
        var stopping = false
        while true {
            _ = inbox.wake.wait(timeout: .now() + .milliseconds(100))
            let taken = inbox.take()
            printer.print(lines: taken.lines, to: context)
            context.output.flush()
            if taken.finished {
                guard !stopping else { return 0 }
                let reason = taken.closeReason.map { ": " + Sanitizer.line($0) } ?? ""
                context.complain("stopped following the log of '\(Sanitizer.line(id))'\(reason)")
                return 1
            }
            if !stopping && (context.interrupted() || context.output.isClosed) {
                stopping = true
                connection.stop()
            }
        }
    }
}
