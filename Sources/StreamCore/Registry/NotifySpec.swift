/// How to tell a person that a stream broke (and recovered).
public struct NotifySpec: Sendable, Equatable {
    public enum WebhookFormat: String, Sendable, CaseIterable {
        /// `{"text": "…"}`, for Slack-compatible hooks.
        case slack
        /// The message as a plain-text body, for ntfy-style hooks.
        case text
    }

    /// A program and its arguments, run without a shell.
    public var command: [String]?
    public var webhook: String?
    public var webhookFormat: WebhookFormat
    /// Seconds a stream must be failed or stalled before the alert.
    public var after: Int
    /// Seconds between repeated alerts for the same incident (nil: once per incident).
    public var `repeat`: Int?
    /// Members this streamtop does not know, kept through saves (see `StreamSpec.unknownFields`).
    public var unknownFields = JSONObject()

    public static let defaultAfter = 120

    /// Strings compare by Unicode scalars (see `StreamSpec.==`).
    public static func == (lhs: NotifySpec, rhs: NotifySpec) -> Bool {
        lhs.command.map { $0.map(JSONKey.init) } == rhs.command.map { $0.map(JSONKey.init) }
            && lhs.webhook.map(JSONKey.init) == rhs.webhook.map(JSONKey.init)
            && lhs.webhookFormat == rhs.webhookFormat && lhs.after == rhs.after && lhs.repeat == rhs.repeat
    }

    public init(command: [String]? = nil, webhook: String? = nil, webhookFormat: WebhookFormat = .slack, after: Int = NotifySpec.defaultAfter, repeat: Int? = nil) {
        self.command = command
        self.webhook = webhook
        self.webhookFormat = webhookFormat
        self.after = after
        self.repeat = `repeat`
    }

    func validate() throws(SpecError) {
        if command == nil && webhook == nil { throw SpecError(field: "notify", reason: "needs a command or a webhook") }
        if let command, command.isEmpty || command[0].isEmpty { throw SpecError(field: "notify.command", reason: "must name a program") }
        if let webhook, let problem = StreamSpec.urlProblem(webhook) { throw SpecError(field: "notify.webhook", reason: problem) }
        guard after >= 0, after <= 86_400 else { throw SpecError(field: "notify.after", reason: "must be between 0 and 86400 seconds") }
        if let `repeat`, `repeat` < 60 || `repeat` > 7 * 86_400 {
            throw SpecError(field: "notify.repeat", reason: "must be between 60 and 604800 seconds")
        }
    }
}
