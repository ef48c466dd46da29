/// One colour of a theme: the terminal's default, a palette index, or an RGB value that is
/// mapped to the nearest colour the terminal has.
public enum ThemeColor: Sendable, Hashable {
    case terminalDefault
    case index(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    /// The eight basic colours by name, and their bright variants (8–15).
    static let names: [String: UInt8] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "gray": 8, "grey": 8, "bright_black": 8, "bright_red": 9, "bright_green": 10, "bright_yellow": 11,
        "bright_blue": 12, "bright_magenta": 13, "bright_cyan": 14, "bright_white": 15,
    ]

    /// Parses a theme value: `#rrggbb`, `0`–`255`, a colour name, or empty (terminal default).
    public init?(parsing text: String) {
        let value = text.trimmingCharacters
        if value.isEmpty || value.lowercased() == "default" {
            self = .terminalDefault
        } else if value.hasPrefix("#") {
            let hex = value.dropFirst()
            guard hex.count == 6, let number = UInt32(hex, radix: 16) else { return nil }
            self = .rgb(UInt8(number >> 16), UInt8((number >> 8) & 0xFF), UInt8(number & 0xFF))
        } else if let number = Int(value) {
            guard (0...255).contains(number) else { return nil }
            self = .index(UInt8(number))
        } else if let index = ThemeColor.names[value.lowercased()] {
            self = .index(index)
        } else {
            return nil
        }
    }

    /// The RGB a palette index shows in xterm's default palette.
    static func rgb(ofIndex index: UInt8) -> (Int, Int, Int) {
        let basic: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        let i = Int(index)
        if i < 16 { return basic[i] }
        if i >= 232 { let level = 8 + 10 * (i - 232); return (level, level, level) }
        let cube = [0, 95, 135, 175, 215, 255]
        let n = i - 16
        return (cube[n / 36], cube[(n / 6) % 6], cube[n % 6])
    }

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
    }

    /// The palette index for a 256-colour terminal: the nearest of the 6×6×6 cube and the
    /// grey ramp for RGB (nil: the terminal's default).
    public var index256: Int? {
        switch self {
        case .terminalDefault: return nil
        case .index(let index): return Int(index)
        case .rgb(let r, let g, let b):
            let target = (Int(r), Int(g), Int(b))
            let levels = [0, 95, 135, 175, 215, 255]
            func nearestLevel(_ value: Int) -> Int { levels.indices.min { abs(levels[$0] - value) < abs(levels[$1] - value) }! }
            let cube = 16 + 36 * nearestLevel(target.0) + 6 * nearestLevel(target.1) + nearestLevel(target.2)
            let average = (target.0 + target.1 + target.2) / 3
            let grey = 232 + min(23, max(0, (average - 3) / 10))
            let candidates = [cube, grey]
            return candidates.min { ThemeColor.distance(ThemeColor.rgb(ofIndex: UInt8($0)), target) < ThemeColor.distance(ThemeColor.rgb(ofIndex: UInt8($1)), target) }
        }
    }

    /// The nearest of the eight basic colours, for an 8-colour terminal (nil: default).
    public var index8: Int? {
        switch self {
        case .terminalDefault: return nil
        case .index(let index) where index < 8: return Int(index)
        case .index(let index) where index < 16: return Int(index) - 8
        default:
            guard let index = index256 else { return nil }
            let target = ThemeColor.rgb(ofIndex: UInt8(index))
            return (0..<8).min { ThemeColor.distance(ThemeColor.rgb(ofIndex: UInt8($0)), target) < ThemeColor.distance(ThemeColor.rgb(ofIndex: UInt8($1)), target) }
        }
    }
}

extension String {
    var trimmingCharacters: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
