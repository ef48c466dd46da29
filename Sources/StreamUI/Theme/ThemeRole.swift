/// What a colour is for: the roles a theme file names (btop's `theme[role]="value"` format).
public enum ThemeRole: String, CaseIterable, Sendable, Hashable {
    case mainFG = "main_fg"
    case mainBG = "main_bg"
    case title
    case border
    case borderFocus = "border_focus"
    case hiFG = "hi_fg"
    case selectedFG = "selected_fg"
    case selectedBG = "selected_bg"
    case inactiveFG = "inactive_fg"
    case headerFG = "header_fg"
    case sorter
    case stateOpen = "state_open"
    case stateConnecting = "state_connecting"
    case stateReconnecting = "state_reconnecting"
    case stateStalled = "state_stalled"
    case stateFailed = "state_failed"
    case stateStopped = "state_stopped"
    case logInfo = "log_info"
    case logWarn = "log_warn"
    case logError = "log_error"
    case graph

    /// Roles that colour a background rather than text.
    public var isBackground: Bool { self == .mainBG || self == .selectedBG }
}
