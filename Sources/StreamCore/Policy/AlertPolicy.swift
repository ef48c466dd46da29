/// Decides when a broken stream deserves a notification, so a person hears once per
/// incident: not for a blip, not every few seconds while it stays broken, and again when it
/// recovers.
///
/// An incident starts with the stream's first error (see `IncidentTracker`). If it is still
/// broken `threshold` later, one alert is sent; with a `repeatInterval`, reminders follow at
/// that interval. When the stream is healthy again after an alert, one recovery message is
/// sent; a blip shorter than the threshold sends nothing at all.
public struct AlertPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Send an alert (the first of an incident, or a reminder).
        case alert(since: Moment, reminder: Bool)
        /// Send a recovery message for an incident that had been alerted.
        case recovered(since: Moment, duration: Duration)
    }

    public var threshold: Duration
    public var repeatInterval: Duration?

    /// When the current incident began (nil: healthy).
    public private(set) var brokenSince: Moment?
    private var lastAlertAt: Moment?

    public init(threshold: Duration = .seconds(120), repeatInterval: Duration? = nil) {
        self.threshold = threshold
        self.repeatInterval = repeatInterval
    }

    /// Reports the stream's health at `moment` (call on every state change and periodically);
    /// returns what, if anything, to send now. `since`: when the incident began, if earlier.
    public mutating func update(broken: Bool, since start: Moment? = nil, at moment: Moment) -> Decision? {
        if broken {
            guard let since = brokenSince else {
                let since = min(start ?? moment, moment)
                brokenSince = since
                return moment - since >= threshold ? fire(since: since, at: moment, reminder: false) : nil
            }
            if let lastAlertAt {
                guard let repeatInterval, moment - lastAlertAt >= repeatInterval else { return nil }
                return fire(since: since, at: moment, reminder: true)
            }
            return moment - since >= threshold ? fire(since: since, at: moment, reminder: false) : nil
        }
        defer {
            brokenSince = nil
            lastAlertAt = nil
        }
        guard let since = brokenSince, lastAlertAt != nil else { return nil }
        return .recovered(since: since, duration: moment - since)
    }

    /// Forgets the current incident without a recovery message (the stream was stopped).
    public mutating func reset() {
        brokenSince = nil
        lastAlertAt = nil
    }

    /// When `update` should next be called for a pending alert or reminder (nil: nothing pending).
    public var nextCheck: Moment? {
        guard let since = brokenSince else { return nil }
        if let lastAlertAt { return repeatInterval.map { lastAlertAt + $0 } }
        return since + threshold
    }

    private mutating func fire(since: Moment, at moment: Moment, reminder: Bool) -> Decision {
        lastAlertAt = moment
        return .alert(since: since, reminder: reminder)
    }
}
