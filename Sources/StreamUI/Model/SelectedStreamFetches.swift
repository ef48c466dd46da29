import StreamCore
import StreamEngine

/// What the monitor shows of the selected stream beyond its snapshot, as it arrived last: plain
/// values, which the views draw without asking the engine anything.
public struct FetchedDetails: Sendable {
    /// The stream they are of (nil: none, nothing fetched).
    public var id: String?
    /// Its per-minute history (nil: the engine has none for it).
    public var history: Fetched<StreamHistory?> = .loading
    /// Its current document, folded and pretty-printed (nil: none yet).
    public var document: Fetched<[String]?> = .loading
    /// Its log tail as the log pane and the detail view show it.
    public var log: Fetched<LogExcerpt> = .loading

    public init() {}
}

/// The end of a stream's log, made into lines once when it arrives rather than on every frame.
public struct LogExcerpt: Sendable {
    /// Every entry fetched, oldest first, as the log pane shows it.
    public var lines: [(text: String, level: LogEntry.Level)]
    /// The last events or polls (the last patches, with their sizes), for the detail view.
    public var recentEvents: [String]

    init(_ entries: [LogEntry]) {
        lines = entries.map { (LogPaneText.line($0), $0.level) }
        recentEvents = entries.filter { $0.kind == "event" || $0.kind == "poll" }.suffix(5).map(LogPaneText.line)
    }
}

/// Asks the link for the selected stream's history, document and log tail on queues of their
/// own (`OnDemandFetch`), only what the open views show: the log for the log pane or the detail
/// view, the history and the document for the detail view. Used by the controller on the main
/// thread; the link's fetches, which may block, never run there.
final class SelectedStreamFetches {
    /// Log entries fetched: what the log pane can scroll back through.
    static let logLimit = 1000

    private let link: any MonitorLink
    private let history: OnDemandFetch<StreamHistory?>
    private let document: OnDemandFetch<[String]?>
    private let log: OnDemandFetch<LogExcerpt>

    init(link: any MonitorLink) {
        self.link = link
        history = OnDemandFetch(label: "history", interval: link.fetchInterval(.history))
        document = OnDemandFetch(label: "document", interval: link.fetchInterval(.document))
        log = OnDemandFetch(label: "log", interval: link.fetchInterval(.log))
    }

    /// Asks for what the open views need of `selected` (when it published since) and returns
    /// what arrived last, and whether any of it moved since the last call.
    func update(
        selected: StreamSnapshot?, detail: Bool, logPane: Bool, now: Moment
    ) -> (details: FetchedDetails, moved: Bool) {
        let link = link
        let revision = selected.map(StreamRevision.init)
        func id(_ wanted: Bool) -> String? { wanted ? selected?.id : nil }
        var details = FetchedDetails()
        details.id = selected?.id
        var moved = false
        (details.history, moved) = history.update(id: id(detail), revision: revision, now: now) {
            try link.history(id: $0)
        }
        let (document, documentMoved) = document.update(id: id(detail), revision: revision, now: now) {
            try link.document(id: $0).map { DocumentFolding.lines($0) }
        }
        let (log, logMoved) = log.update(id: id(detail || logPane), revision: revision, now: now) {
            LogExcerpt(try link.recentLog(id: $0, limit: SelectedStreamFetches.logLimit))
        }
        details.document = document
        details.log = log
        return (details, moved || documentMoved || logMoved)
    }

    /// Whether a fetch is queued or running.
    var isFetching: Bool { history.isFetching || document.isFetching || log.isFetching }
}

extension MonitorController {
    /// Whether something the open views asked for is being fetched (for tests).
    package var isFetching: Bool { fetches.isFetching }
}
