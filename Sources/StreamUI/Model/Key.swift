/// A key a person pressed, independent of the terminal library.
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    case function(Int)
    /// A letter typed with Ctrl (`.control("u")` for Ctrl-U), for the form's editing keys.
    case control(Character)
    /// The terminal changed size.
    case resize

    /// The character typed, when it is one that may go into text (no control characters).
    public var printable: Character? {
        guard case .character(let c) = self, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return nil }
        return c
    }

    /// Backspace and printable characters change a line being typed; says whether it did.
    public func edit(_ text: inout String) -> Bool {
        if self == .backspace {
            if !text.isEmpty { text.removeLast() }
            return true
        }
        guard let character = printable else { return false }
        text.append(character)
        return true
    }

    /// How the help screen and the footer name the key: the arrows as `glyphs` draw them
    /// (words without UTF-8).
    public func label(_ glyphs: Glyphs) -> String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .up: return glyphs.keyUp
        case .down: return glyphs.keyDown
        case .left: return glyphs.keyLeft
        case .right: return glyphs.keyRight
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        case .control(let c): return "^" + c.uppercased()
        case .resize: return "resize"
        }
    }
}
