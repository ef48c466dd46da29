/// How a cell looks, by meaning: a theme role (the colour comes from the theme) and the
/// attributes that work on every terminal, with or without colour.
public struct Style: Hashable, Sendable {
    public var role: ThemeRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: ThemeRole = .mainFG, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = Style()
}
