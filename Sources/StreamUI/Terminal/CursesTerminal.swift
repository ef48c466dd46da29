import CCurses
import StreamCore

/// The real terminal, through ncursesw: shows an in-memory screen with one update, reads
/// keys, and maps theme roles to colour pairs for the terminal's colour depth. Only the main
/// thread uses it (ncurses is not thread-safe).
final class CursesTerminal {
    private(set) var depth: ColorDepth = .monochrome
    private var theme = Theme.builtInDefault
    private var pairs: [ThemeRole: Int32] = [:]
    private var shown: ScreenBuffer?
    let noColor: Bool

    init(noColor: Bool) {
        self.noColor = noColor
    }

    /// Sets the user's locale (ncurses needs it for wide characters) and says whether it is UTF-8.
    static func useEnvironmentLocale() -> Bool {
        ccurses_use_environment_locale()
        return ccurses_locale_is_utf8() != 0
    }

    /// Why the terminal `term` cannot show the monitor, in one line that says what to do (nil:
    /// it can). Reads only terminfo: nothing is sent to the terminal.
    static func problem(term: String?) -> String? {
        guard let term, !term.isEmpty else {
            return "TERM is not set, so the monitor cannot tell how to draw on this terminal: "
                + "set it (export TERM=xterm-256color, or your terminal's name)"
        }
        let shown = Sanitizer.line(term)
        switch ccurses_terminal_check(term) {
        case 0: return nil
        case 2:
            return "TERM=\(shown): this machine has no terminfo database; install ncurses-base "
                + "(or ncurses-term), or set TERM=xterm-256color"
        case 3:
            return "TERM=\(shown) cannot move the cursor (no 'cup' in its terminfo), and the monitor needs a "
                + "terminal that can: set TERM=xterm-256color (or your terminal's name)"
        default:
            return "TERM=\(shown) is not a terminal this machine's terminfo knows: set TERM=xterm-256color "
                + "(or your terminal's name; 'toe -a' lists the known ones)"
        }
    }

    /// Starts curses; `mouse`: report clicks and the wheel (the terminal's own text selection
    /// then needs Shift).
    func start(mouse: Bool) throws {
        guard ccurses_start() == 0 else { throw TerminalError(message: "cannot initialize the terminal (is TERM set?)") }
        let colors = ccurses_colors()
        depth = noColor || colors == 0 ? .monochrome : (colors >= 256 ? .full : .eight)
        apply(theme)
        if mouse { _ = ccurses_mouse(1) }
    }

    func stop() {
        ccurses_stop()
    }

    var size: (rows: Int, columns: Int) {
        var rows: Int32 = 0, columns: Int32 = 0
        ccurses_size(&rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Defines one colour pair per foreground role (backgrounds: the theme's main or selected).
    func apply(_ theme: Theme) {
        self.theme = theme
        pairs = [:]
        shown = nil
        guard depth != .monochrome else { return }
        let background = theme.paletteIndex(.mainBG, depth: depth) ?? -1
        let selectedBackground = theme.paletteIndex(.selectedBG, depth: depth) ?? -1
        for (index, role) in ThemeRole.allCases.enumerated() where !role.isBackground {
            let pair = Int32(index + 1)
            let foreground = theme.paletteIndex(role, depth: depth) ?? -1
            ccurses_init_pair(pair, Int32(foreground), Int32(role == .selectedFG ? selectedBackground : background))
            pairs[role] = pair
        }
    }

    /// Attributes for a style: its own, plus, without colours, what carries the role's meaning.
    private func attributes(_ style: Style) -> UInt32 {
        var attributes: UInt32 = 0
        var bold = style.bold, reverse = style.reverse, underline = style.underline
        if depth == .monochrome {
            switch style.role {
            case .stateFailed, .stateStalled, .title, .logError: bold = true
            case .selectedFG: reverse = true
            case .sorter: underline = true
            default: break
            }
        } else if style.role == .selectedFG, theme.paletteIndex(.selectedBG, depth: depth) != nil {
            // The selection has its own background colour: reverse would undo it.
            reverse = false
        }
        if bold { attributes |= ccurses_attr_bold() }
        if reverse { attributes |= ccurses_attr_reverse() }
        if underline { attributes |= ccurses_attr_underline() }
        return attributes
    }

    /// Shows `screen`: runs of cells with the same style are written together, then one
    /// `doupdate` (ncurses sends only what changed, so nothing flickers).
    func draw(_ screen: ScreenBuffer) {
        ccurses_erase()
        var text: [wchar_t] = []
        text.reserveCapacity(screen.columns * 2)
        for row in 0..<screen.rows {
            var column = 0
            while column < screen.columns {
                let style = screen[row, column].style
                let start = column
                text.removeAll(keepingCapacity: true)
                while column < screen.columns, screen[row, column].style == style {
                    let cell = screen[row, column]
                    if !cell.continuation {
                        text.append(wchar_t(bitPattern: cell.scalar.value))
                        if let marks = screen.marks[row * screen.columns + column] {
                            for scalar in marks.unicodeScalars { text.append(wchar_t(bitPattern: scalar.value)) }
                        }
                    }
                    column += 1
                }
                // The bottom-right cell is left alone: writing it scrolls some terminals.
                if row == screen.rows - 1, column == screen.columns, !text.isEmpty { text.removeLast() }
                ccurses_put(Int32(row), Int32(start), text, Int32(text.count), attributes(style), pairs[style.role] ?? 0)
            }
        }
        ccurses_flush()
        shown = screen
    }

    func beep() { ccurses_beep() }

    /// What ncurses read and has not been taken yet (after an ESC that began no sequence).
    private var pending: [(value: Int32, isKey: Bool)] = []

    private func next(timeout: Int) -> (value: Int32, isKey: Bool)? {
        if !pending.isEmpty { return pending.removeFirst() }
        var isKey: Int32 = 0
        let value = ccurses_read(Int32(timeout), &isKey)
        return value < 0 ? nil : (value, isKey != 0)
    }

    /// The next key or mouse event within `timeout` milliseconds (nil: none, or a sequence
    /// that means nothing here).
    func read(timeout: Int) -> TerminalInput? {
        guard let first = next(timeout: timeout) else { return nil }
        if first.isKey {
            return first.value == KEY_MOUSE ? mouseEvent() : CursesTerminal.functionKey(first.value).map { .key($0) }
        }
        if first.value == 27 { return escapeSequence() }
        return CursesTerminal.character(first.value).map { .key($0) }
    }

    /// An ESC ncurses did not match with a key of $TERM's terminfo: a lone Esc, or a sequence
    /// decoded here. What follows an ESC that ends a key is in ncurses' buffer already (it
    /// waited ESCDELAY for it), so a lone Esc costs no more wait; the rest of a sequence that
    /// began is given 50 ms (a slow link).
    private func escapeSequence() -> TerminalInput? {
        var scalars: [Unicode.Scalar] = []
        while true {
            switch EscapeSequence.decode(scalars) {
            case .incomplete:
                guard let next = next(timeout: scalars.isEmpty ? 0 : 50) else {
                    return scalars.isEmpty ? .key(.escape) : nil
                }
                guard !next.isKey, let scalar = Unicode.Scalar(UInt32(next.value)) else {
                    pending.insert(next, at: 0)
                    return scalars.isEmpty ? .key(.escape) : nil
                }
                scalars.append(scalar)
            case .escape:
                pending.insert((Int32(scalars[0].value), false), at: 0)
                return .key(.escape)
            case .broken:
                pending.insert((Int32(scalars[scalars.count - 1].value), false), at: 0)
                return nil
            case .ignored: return nil
            case .key(let key): return .key(key)
            case .mouse(let event): return .mouse(event)
            }
        }
    }

    private func mouseEvent() -> TerminalInput? {
        var row: Int32 = 0, column: Int32 = 0
        let kinds: [Int32: MouseEvent.Kind] = [1: .press, 2: .wheelUp, 3: .wheelDown]
        guard let kind = kinds[ccurses_mouse_event(&row, &column)] else { return nil }
        return .mouse(MouseEvent(kind, row: Int(row), column: Int(column)))
    }

    static func character(_ value: Int32) -> Key? {
        switch value {
        case 10, 13: return .enter
        case 27: return .escape
        case 9: return .tab
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(value) + 0x60)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)), value >= 0x20 else { return nil }
            return .character(Character(scalar))
        }
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        // The keypad's corners and the VT220's Find and Select keys are Home, End and the pages.
        case KEY_HOME, KEY_FIND, KEY_A1: return .home
        case KEY_END, KEY_SELECT, KEY_C1, KEY_LL: return .end
        case KEY_A3: return .pageUp
        case KEY_C3: return .pageDown
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case ccurses_key_resize(): return .resize
        default:
            for n in 1...12 where code == ccurses_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }
}

/// What the terminal read: a key, or what the mouse did.
enum TerminalInput: Equatable {
    case key(Key)
    case mouse(MouseEvent)
}

struct TerminalError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
