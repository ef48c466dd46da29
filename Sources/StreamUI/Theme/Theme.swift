/// A colour theme: a colour for each role, and the basic colours to use on an 8-colour
/// terminal. Roles a theme file leaves out take the built-in default's colours.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var colors: [ThemeRole: ThemeColor]
    /// Explicit 8-colour choices (`theme8[role]="red"`); others are the nearest basic colour.
    public var basicColors: [ThemeRole: ThemeColor]

    public init(name: String, colors: [ThemeRole: ThemeColor], basicColors: [ThemeRole: ThemeColor] = [:]) {
        self.name = name
        self.colors = colors
        self.basicColors = basicColors
    }

    public func color(_ role: ThemeRole) -> ThemeColor {
        colors[role] ?? Theme.builtInDefault.colors[role] ?? .terminalDefault
    }

    /// The palette index for `role` at a colour depth (nil: the terminal's default colour).
    public func paletteIndex(_ role: ThemeRole, depth: ColorDepth) -> Int? {
        switch depth {
        case .monochrome: return nil
        case .eight: return (basicColors[role] ?? Theme.builtInDefault.basicColors[role] ?? color(role)).index8
        case .full: return color(role).index256
        }
    }

    /// The dark default, compiled in so that the monitor has colours with no theme files at all.
    public static let builtInDefault = Theme(name: "default", colors: [
        .mainFG: .terminalDefault, .mainBG: .terminalDefault, .title: .rgb(0xEE, 0xEE, 0xEE),
        .border: .rgb(0x4E, 0x4E, 0x4E), .borderFocus: .rgb(0x5F, 0xAF, 0xD7), .hiFG: .rgb(0x5F, 0xD7, 0xFF),
        .selectedFG: .rgb(0xFF, 0xFF, 0xFF), .selectedBG: .rgb(0x26, 0x4F, 0x78), .inactiveFG: .rgb(0x80, 0x80, 0x80),
        .headerFG: .rgb(0xAF, 0xAF, 0xAF), .sorter: .rgb(0xFF, 0xD7, 0x5F),
        .stateOpen: .rgb(0x5F, 0xD7, 0x5F), .stateConnecting: .rgb(0x5F, 0xAF, 0xFF), .stateReconnecting: .rgb(0xFF, 0xD7, 0x00),
        .stateStalled: .rgb(0xFF, 0x87, 0x00), .stateFailed: .rgb(0xFF, 0x5F, 0x5F), .stateStopped: .rgb(0x80, 0x80, 0x80),
        .logInfo: .terminalDefault, .logWarn: .rgb(0xFF, 0xD7, 0x00), .logError: .rgb(0xFF, 0x5F, 0x5F),
        .graph: .rgb(0x5F, 0xAF, 0xD7),
    ], basicColors: [
        .selectedFG: .index(7), .selectedBG: .index(4), .stateStalled: .index(3), .stateReconnecting: .index(3),
        .stateStopped: .terminalDefault, .inactiveFG: .terminalDefault, .border: .terminalDefault,
    ])
}

/// How many colours the terminal shows.
public enum ColorDepth: Sendable, Equatable {
    /// No colours (or `NO_COLOR`): bold, reverse and underline carry the meaning.
    case monochrome
    case eight
    case full
}
