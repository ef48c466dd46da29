import StreamCore

/// Everything the monitor shows besides the engine's data: what is selected, how the table is
/// sorted and filtered, which screen or dialog is open, the status line. A value, changed
/// only by `MonitorController` on the main thread, and read by the views.
public struct MonitorState: Sendable, Equatable {
    /// A dialog or screen drawn over the table.
    public enum Overlay: Sendable, Equatable {
        case none
        case help
        case sortPicker(selection: Int)
        case form(StreamForm)
        case confirmDelete(id: String, name: String)
        case confirmQuit(running: Int)
    }

    public struct StatusMessage: Sendable, Equatable {
        public enum Kind: Sendable { case info, warning, error }
        public var text: String
        public var kind: Kind
        /// The stream it is about (its recovery clears it).
        public var stream: String?
    }

    public var overlay: Overlay = .none
    public var showingDetail = false
    public var logOpen = false
    /// The display is frozen (`Z`): the engine's numbers are not read until it resumes.
    public var frozen = false
    /// The group view (`g`) and its selected row.
    public var showingGroups = false
    public var groupSelection = 0
    /// The table shows only this group's streams (Enter in the group view; Esc clears it).
    public var groupFilter: String?
    public var filter = ""
    public var editingFilter = false
    public var sort: StreamColumn = .name
    public var reversed = false
    public var selectedID: String?
    /// The first table row shown.
    public var top = 0
    public var detailScroll = 0
    /// The first line of help shown.
    public var helpTop = 0
    /// The first log entry shown; nil follows the newest.
    public var logTop: Int?
    public var logSearch = ""
    public var editingLogSearch = false
    public var status: StatusMessage?
    public var themeName = "default"

    public init() {}

    /// Where keys are read now: the log pane when open, else the detail view, the group view
    /// or the table.
    public var keyContext: KeyContext {
        logOpen ? .log : showingDetail ? .detail : showingGroups ? .groups : .table
    }
}
