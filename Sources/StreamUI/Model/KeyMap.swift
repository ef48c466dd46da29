/// Everything a key can do in the monitor.
public enum Action: Sendable, Equatable {
    case moveUp, moveDown, pageUp, pageDown, home, end
    case openDetail, back
    case filter, pickSort, reverseSort
    case add, edit, toggleRunning, restart, delete
    case toggleLog, nextTheme, help, quit
    case searchLog, nextMatch, previousMatch, logTop, logBottom
    case groups
    case freeze
}

/// Where the keys are read: each screen has its own bindings.
public enum KeyContext: Sendable, Hashable {
    case table, detail, log
    /// The group view (`g`): a group's stream and poller side by side.
    case groups
}

/// One row of the key map: the keys, what they do, where, and how help and the footer say it.
public struct KeyBinding: Sendable {
    public let keys: [Key]
    public let action: Action
    public let contexts: Set<KeyContext>
    /// For the help screen.
    public let help: String
    /// The footer's short word for it (nil: not in the footer).
    public let footer: String?
}

/// The key map, in one table (as htop keeps it): the controller looks keys up here, and the
/// footer and the help screen are written from it, so they cannot disagree.
public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(
            keys: [.up, .character("k")], action: .moveUp, contexts: [.table, .detail, .log, .groups],
            help: "move up (scroll)", footer: nil),
        KeyBinding(
            keys: [.down, .character("j")], action: .moveDown, contexts: [.table, .detail, .log, .groups],
            help: "move down (scroll)", footer: nil),
        KeyBinding(
            keys: [.pageUp], action: .pageUp, contexts: [.table, .detail, .log, .groups],
            help: "one page up", footer: nil),
        KeyBinding(
            keys: [.pageDown], action: .pageDown, contexts: [.table, .detail, .log, .groups],
            help: "one page down", footer: nil),
        KeyBinding(
            keys: [.home], action: .home, contexts: [.table, .detail, .groups],
            help: "first stream (top)", footer: nil),
        KeyBinding(
            keys: [.end], action: .end, contexts: [.table, .detail, .groups],
            help: "last stream (bottom)", footer: nil),
        KeyBinding(
            keys: [.enter], action: .openDetail, contexts: [.table],
            help: "details of the selected stream", footer: "Detail"),
        KeyBinding(
            keys: [.enter], action: .openDetail, contexts: [.groups], help: "the selected group's streams in the table",
            footer: "Streams"),
        KeyBinding(
            keys: [.character("g")], action: .groups, contexts: [.table, .groups],
            help: "groups: each API's stream and poller side by side (again: back)", footer: "Groups"),
        KeyBinding(
            keys: [.escape], action: .back, contexts: [.detail, .log, .groups],
            help: "back (close the detail view, log pane or groups)", footer: "Back"),
        KeyBinding(
            keys: [.character("/")], action: .filter, contexts: [.table],
            help: "filter by name, URL or state (Esc clears)", footer: "Filter"),
        KeyBinding(
            keys: [.character("/")], action: .searchLog, contexts: [.log],
            help: "search the log", footer: "Search"),
        KeyBinding(keys: [.character("n")], action: .nextMatch, contexts: [.log], help: "next match", footer: nil),
        KeyBinding(
            keys: [.character("N")], action: .previousMatch, contexts: [.log],
            help: "previous match", footer: nil),
        KeyBinding(
            keys: [.character("g"), .home], action: .logTop, contexts: [.log],
            help: "oldest entry", footer: nil),
        KeyBinding(
            keys: [.character("G"), .end], action: .logBottom, contexts: [.log],
            help: "newest entry (follow the tail)", footer: nil),
        KeyBinding(
            keys: [.character("s"), .function(6)], action: .pickSort, contexts: [.table],
            help: "choose the sort column", footer: "Sort"),
        KeyBinding(
            keys: [.character("S")], action: .reverseSort, contexts: [.table],
            help: "reverse the sort order", footer: nil),
        KeyBinding(keys: [.character("a")], action: .add, contexts: [.table], help: "register a stream", footer: "Add"),
        KeyBinding(
            keys: [.character("e")], action: .edit, contexts: [.table, .detail],
            help: "edit the selected stream", footer: "Edit"),
        KeyBinding(
            keys: [.character(" ")], action: .toggleRunning, contexts: [.table, .detail],
            help: "start or stop the selected stream", footer: "Start/Stop"),
        KeyBinding(
            keys: [.character("r")], action: .restart, contexts: [.table, .detail],
            help: "restart (reconnect for a fresh snapshot)", footer: nil),
        KeyBinding(
            keys: [.character("d"), .delete], action: .delete, contexts: [.table],
            help: "delete the selected stream (asks first)", footer: "Delete"),
        KeyBinding(
            keys: [.character("l")], action: .toggleLog, contexts: [.table, .detail, .log],
            help: "log pane of the selected stream", footer: "Log"),
        KeyBinding(
            keys: [.character("Z")], action: .freeze, contexts: [.table, .detail, .log, .groups],
            help: "freeze the display (keys still act; Z again resumes)", footer: nil),
        KeyBinding(
            keys: [.character("t")], action: .nextTheme, contexts: [.table, .detail],
            help: "next colour theme", footer: "Theme"),
        KeyBinding(
            keys: [.character("?"), .function(1)], action: .help, contexts: [.table, .detail, .log, .groups],
            help: "this help", footer: "Help"),
        KeyBinding(
            keys: [.character("q"), .function(10)], action: .quit, contexts: [.table],
            help: "quit (asks when streams are running)", footer: "Quit"),
        KeyBinding(
            keys: [.character("q")], action: .back, contexts: [.detail, .log, .groups],
            help: "back", footer: nil),
        KeyBinding(keys: [.function(10)], action: .quit, contexts: [.detail, .log, .groups], help: "quit", footer: nil),
    ]

    /// What `key` does in `context` (nil: nothing).
    public static func action(for key: Key, in context: KeyContext) -> Action? {
        bindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }?.action
    }

    /// The footer's entries for `context`: ("Enter", "Detail"), …
    public static func footer(for context: KeyContext, glyphs: Glyphs) -> [(key: String, label: String)] {
        footerEntries(for: context, glyphs: glyphs).map { ($0.key, $0.label) }
    }

    /// The same with each entry's action (what the footer ranks them by).
    static func footerEntries(
        for context: KeyContext, glyphs: Glyphs
    ) -> [(key: String, label: String, action: Action)] {
        bindings.compactMap { binding in
            guard binding.contexts.contains(context), let label = binding.footer else { return nil }
            return (binding.keys[0].label(glyphs), label, binding.action)
        }
    }
}
