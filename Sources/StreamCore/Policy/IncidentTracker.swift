/// Whether a stream is broken, judged by the errors it reports rather than by its state: a
/// stream that connects and closes at once, or whose patches always fail, flips between
/// states that look healthy, yet it is broken while errors keep coming.
///
/// An incident begins with the first error since the stream was last healthy and lasts until
/// the stream goes `quietPeriod` (60 s) without one. An error may last: a failed attempt is
/// still an error while the stream waits for its next one, and so is a wait for the next
/// attempt that is longer than a person should go unwarned (`error(at:until:)`).
public struct IncidentTracker: Sendable, Equatable {
    public var quietPeriod: Duration

    /// When the current incident began (nil: healthy).
    public private(set) var since: Moment?
    /// Errors last until this moment.
    private var errorUntil: Moment?

    public init(quietPeriod: Duration = .seconds(60)) {
        self.quietPeriod = quietPeriod
    }

    /// An error at `moment`, lasting until `end` (the next attempt) when the stream waits.
    public mutating func error(at moment: Moment, until end: Moment? = nil) {
        if !update(at: moment) { since = moment }
        let last = max(end ?? moment, moment)
        errorUntil = max(errorUntil ?? last, last)
    }

    /// Whether an incident is under way at `moment`; one `quietPeriod` after its last error it
    /// is over.
    public mutating func update(at moment: Moment) -> Bool {
        if let errorUntil, moment - errorUntil >= quietPeriod {
            since = nil
            self.errorUntil = nil
        }
        return since != nil
    }

    /// When the incident is over if no error comes (nil: none under way).
    public var endsAt: Moment? { since == nil ? nil : errorUntil.map { $0 + quietPeriod } }

    /// Forgets the incident (the stream was stopped).
    public mutating func reset() {
        since = nil
        errorUntil = nil
    }
}
