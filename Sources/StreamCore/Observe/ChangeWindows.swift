/// Whether and how often a stream's document changes.
///
/// Time is cut into consecutive windows (default 60 s). A window *changed* when the document
/// at its end differs from the document at its start, exactly as the question "is it different
/// from one window ago?" asks: a price that goes up and back within the window is not a
/// change. The document is compared through a hash taken once per window boundary, so the
/// cost does not depend on the event rate.
public struct ChangeWindows: Sendable, Equatable {
    public let length: Duration
    /// Outcomes of the most recent windows, oldest first (at most `historyLimit`).
    public private(set) var recent: [Bool] = []
    public static let historyLimit = 1440
    public private(set) var windowsClosed: Int64 = 0
    public private(set) var windowsChanged: Int64 = 0
    /// When the document last changed (from the change flags of observations).
    public private(set) var lastChange: Moment?
    /// Change events over the stream's life, for changes per hour.
    public private(set) var changeEvents: Int64 = 0

    private var windowStart: Moment
    private var hashAtStart: Int?

    public init(length: Duration = .seconds(60), start: Moment) {
        precondition(length > .zero)
        self.length = length
        self.windowStart = start
    }

    /// Notes an observation's change flag.
    public mutating func observe(changed: Bool, at moment: Moment) {
        if changed {
            changeEvents += 1
            lastChange = moment
        }
    }

    /// Closes every window that ended by `now`. `documentHash` is asked at most once per
    /// call, only when a window closes (nil: no document yet).
    public mutating func advance(to now: Moment, documentHash: () -> Int?) {
        guard now >= windowStart + length else { return }
        let hash = documentHash()
        // The first window that ends compares its start against now; windows that passed
        // without any call in between saw no observation, so nothing changed in them.
        var first = true
        while now >= windowStart + length {
            let changed = first && hashAtStart != nil && hash != hashAtStart
            close(changed: changed)
            first = false
            windowStart = windowStart + length
        }
        hashAtStart = hash
    }

    /// The document hash at the start of the current window (after a snapshot arrives, the
    /// first window starts from it).
    public mutating func setInitialHash(_ hash: Int?) {
        if hashAtStart == nil { hashAtStart = hash }
    }

    private mutating func close(changed: Bool) {
        windowsClosed += 1
        if changed { windowsChanged += 1 }
        recent.append(changed)
        if recent.count > ChangeWindows.historyLimit { recent.removeFirst(recent.count - ChangeWindows.historyLimit) }
    }

    /// Share of closed windows in which the document changed (0…1); nil before the first closes.
    public var changeFrequency: Double? {
        windowsClosed == 0 ? nil : Double(windowsChanged) / Double(windowsClosed)
    }

    /// Change events per hour over `elapsed`.
    public func changesPerHour(elapsed: Duration) -> Double {
        let hours = elapsed.seconds / 3600
        return hours <= 0 ? 0 : Double(changeEvents) / hours
    }

    public func timeSinceLastChange(at now: Moment) -> Duration? {
        lastChange.map { now - $0 }
    }
}
