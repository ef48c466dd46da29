import Dispatch
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Tells a person that a stream broke, or recovered: a command run with `posix_spawn` (no
/// shell; the details in `STREAMTOP_STREAM`, `_URL`, `_STATE`, `_REASON`, `_SINCE`), and/or a
/// webhook POST through the engine's loop (`{"text": …}` for Slack-compatible hooks, or the
/// text itself for ntfy-style ones). A notifier that fails is reported and tried again; it
/// never blocks a stream.
public final class Notifier: Sendable {
    public struct Message: Sendable, Equatable {
        public var stream: String
        public var url: String
        public var state: String
        public var reason: String
        public var since: UTCTime
        public var recovered: Bool

        /// One line for a person, saying where it comes from (a webhook's channel, a command).
        public var text: String { "streamtop: " + summary }

        /// The same line without the program's name, for streamtop's own status line and output.
        public var summary: String {
            if recovered { return "\(stream) recovered (\(url)); it had been failing since \(since.iso8601)" }
            // "is stalled since … : no data for 30s", not "is stalled … : stalled: no data".
            let said = reason.hasPrefix(state + ": ") ? String(reason.dropFirst(state.count + 2)) : reason
            return "\(stream) is \(state) since \(since.iso8601) (\(url)): \(said)"
        }
    }

    private let loop: CurlLoop
    let attempts: Int
    let retryDelay: Duration
    /// How long a command may run before it is killed (and counted as failed).
    let commandTimeout: Duration
    /// Commands running at once; more wait their turn.
    private let commands: LimitedConcurrency
    /// When retries come.
    private let time: any Scheduler
    private let retries = DispatchQueue(label: "streamtop.notifier.retries")

    public init(
        loop: CurlLoop, attempts: Int = 3, retryDelay: Duration = .seconds(5), commandTimeout: Duration = .seconds(30),
        concurrentCommands: Int = 8, time: any Scheduler = SystemScheduler()
    ) {
        self.loop = loop
        self.time = time
        self.attempts = attempts
        self.retryDelay = retryDelay
        self.commandTimeout = commandTimeout
        commands = LimitedConcurrency(limit: concurrentCommands)
    }

    /// This process's environment without any `STREAMTOP_` variables (the command gets its own).
    static func inheritedEnvironment() -> [String] {
        var inherited: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("STREAMTOP_") { inherited.append(text) }
            pointer += 1
        }
        return inherited
    }

    /// Sends `message` by every means `spec` names; `report` hears of each failure (on any thread).
    public func send(_ message: Message, spec: NotifySpec, report: @escaping @Sendable (String) -> Void) {
        if let command = spec.command, !command.isEmpty {
            runCommand(command, message, attempt: 1, report: report)
        }
        if let webhook = spec.webhook {
            post(to: webhook, format: spec.webhookFormat, message, attempt: 1, report: report)
        }
    }

    private func retry(_ attempt: Int, _ what: String, report: @escaping @Sendable (String) -> Void, again: @escaping @Sendable () -> Void) {
        guard attempt < attempts else {
            report("\(what); giving up after \(attempts) attempts")
            return
        }
        report("\(what); trying again")
        time.schedule(after: retryDelay, on: retries, again)
    }

    private func runCommand(_ command: [String], _ message: Message, attempt: Int, report: @escaping @Sendable (String) -> Void) {
        commands.submit { [self] in
            let environment = Notifier.inheritedEnvironment() + [
                "STREAMTOP_STREAM=\(message.stream)", "STREAMTOP_URL=\(message.url)", "STREAMTOP_STATE=\(message.state)",
                "STREAMTOP_REASON=\(message.reason)", "STREAMTOP_SINCE=\(message.since.iso8601)",
                "STREAMTOP_RECOVERED=\(message.recovered ? "1" : "0")", "STREAMTOP_MESSAGE=\(message.text)",
            ]
            let outcome = NotificationCommand.run(
                command, environment: environment, timeout: commandTimeout, time: time)
            if let failure = outcome {
                retry(attempt, "notification command \(command[0]) \(failure)", report: report) { [self] in
                    runCommand(command, message, attempt: attempt + 1, report: report)
                }
            }
        }
    }

    private func post(to webhook: String, format: NotifySpec.WebhookFormat, _ message: Message, attempt: Int, report: @escaping @Sendable (String) -> Void) {
        var request = HTTPTransfer.Request(url: webhook)
        request.timeout = .seconds(15)
        switch format {
        case .slack:
            request.postBody = JSONWriter.data(["text": .string(message.text)])
            request.headers = [("Content-Type", "application/json")]
        case .text:
            request.postBody = Array(message.text.utf8)
            request.headers = [("Content-Type", "text/plain; charset=utf-8")]
        }
        let transfer = HTTPTransfer(request)
        transfer.onComplete = { [self] outcome, response, _ in
            var failure: String?
            if case .failed(let reason) = outcome { failure = reason }
            if let status = response?.status, !(200..<300).contains(status) { failure = "answered HTTP \(status)" }
            if let failure {
                retry(attempt, "webhook \(Redactor.webhook(webhook)) \(failure)", report: report) { [self] in
                    post(to: webhook, format: format, message, attempt: attempt + 1, report: report)
                }
            }
        }
        loop.start(transfer)
    }
}
