#if canImport(Glibc)
import Glibc
#endif
import StreamCore

/// The full-screen monitor: the main loop that reads keys, asks the controller for changes,
/// and redraws through the single render path at most ten times a second, only when a
/// snapshot moved, a second passed (ages) or a key arrived.
public final class MonitorApp {
    public struct Options: Sendable {
        public var themeName: String?
        public var themes: ThemeCatalog
        /// Where the theme choice and the bell setting are remembered (nil: not remembered).
        public var settingsPath: String?
        public var noColor: Bool
        /// A line shown in the status line at start (e.g. what the demo is).
        public var greeting: String?
        /// `--no-bell`: overrides the remembered setting for this run.
        public var bell: Bool?
        /// `--no-mouse`: overrides the remembered setting (ui.json's "mouse") for this run.
        public var mouse: Bool?

        public init(
            themeName: String?, themes: ThemeCatalog, settingsPath: String?, noColor: Bool, greeting: String? = nil,
            bell: Bool? = nil, mouse: Bool? = nil
        ) {
            self.bell = bell
            self.mouse = mouse
            self.themeName = themeName
            self.themes = themes
            self.settingsPath = settingsPath
            self.noColor = noColor
            self.greeting = greeting
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case noTerminal
        case terminal(String)

        public var description: String {
            switch self {
            case .noTerminal: return "the monitor needs a terminal: standard input and output must be a TTY (in scripts, use 'streamtop run --headless' and 'streamtop status')"
            case .terminal(let message): return message
            }
        }
    }

    private let controller: MonitorController
    private let options: Options

    public init(link: MonitorLink, time: any TimeSource, options: Options) {
        controller = MonitorController(link: link, time: time)
        self.options = options
    }

    /// Whether this process can show the monitor (both ends a terminal).
    public static var hasTerminal: Bool { isatty(0) == 1 && isatty(1) == 1 }

    /// Why the terminal `term` names (TERM) cannot show the monitor, in one line that says what
    /// is missing and what to do; nil: it can. Reads terminfo only, never the terminal.
    package static func terminalProblem(term: String?) -> String? { CursesTerminal.problem(term: term) }

    /// Runs until the person quits or a signal arrives; the terminal is restored either way.
    /// Returns the signal number that ended it (0: quit).
    public func run() throws(Failure) -> Int32 {
        guard MonitorApp.hasTerminal else { throw .noTerminal }
        // Before curses: given a terminal it cannot drive, initscr would end the process.
        if let problem = MonitorApp.terminalProblem(term: getenv("TERM").map { String(cString: $0) }) {
            throw .terminal(problem)
        }
        let utf8 = CursesTerminal.useEnvironmentLocale()
        let glyphs: Glyphs = utf8 ? .unicode : .ascii
        var settings = options.settingsPath.map { UISettings.load(path: $0) } ?? UISettings()
        if let name = options.themeName {
            // A theme asked for by name is remembered, like one chosen with `t`.
            settings.theme = name
            if let path = options.settingsPath { settings.save(path: path) }
        }
        let terminal = CursesTerminal(noColor: options.noColor)
        TerminalSignals.install()
        defer {
            terminal.stop()
            TerminalSignals.restoreDefaults()
        }
        do { try terminal.start(mouse: options.mouse ?? settings.mouse) } catch { throw .terminal("\(error)") }

        controller.bellEnabled = options.bell ?? settings.bell
        controller.themeNames = options.themes.names()
        let applyTheme = { [controller, options] (name: String) in
            let (theme, message) = options.themes.load(name)
            terminal.apply(theme)
            controller.setTheme(name)
            if let message { controller.setStatus(message, kind: .warning) }
        }
        applyTheme(settings.theme)
        controller.onThemeChange = { name in
            applyTheme(name)
            if self.controller.state.status?.kind != .warning { self.controller.setStatus("theme \(name) (t: next)", kind: .info) }
            settings.theme = name
            if let path = self.options.settingsPath { settings.save(path: path) }
        }
        if let greeting = options.greeting { controller.setStatus(greeting, kind: .info) }

        var dirty = true
        var lastDraw: Moment?
        var frame = ScreenBuffer(rows: 0, columns: 0)
        let clock = SystemTimeSource()
        while TerminalSignals.received == 0 {
            if controller.refresh() { dirty = true }
            let now = clock.now()
            // At most ten frames a second, however fast the streams publish.
            if dirty, lastDraw.map({ now - $0 >= .milliseconds(100) }) ?? true {
                let size = terminal.size
                if frame.rows != size.rows || frame.columns != size.columns { frame = ScreenBuffer(rows: size.rows, columns: size.columns) }
                MonitorRenderer.render(controller, into: &frame, glyphs: glyphs)
                terminal.draw(frame)
                lastDraw = now
                dirty = false
            }
            if controller.bellPending {
                terminal.beep()
                controller.bellPending = false
            }
            let effect: MonitorController.Effect
            switch terminal.read(timeout: dirty ? 20 : 100) {
            case nil: continue
            case .key(let key)?: effect = controller.handle(key)
            case .mouse(let event)?: effect = controller.handle(event)
            }
            switch effect {
            case .quit: return 0
            case .redraw:
                dirty = true
                lastDraw = nil  // a key is answered at once
            case .none: break
            }
        }
        return TerminalSignals.received
    }
}
