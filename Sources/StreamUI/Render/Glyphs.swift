/// The symbols the views draw, in Unicode when the locale is UTF-8 and in ASCII otherwise
/// (a serial console, `LANG=C`): box lines, the ellipsis, sort arrows, sparkline blocks, and
/// the names of the arrow keys in help and the footer.
public struct Glyphs: Sendable, Equatable {
    public var ellipsis: String
    public var vertical: String
    public var horizontal: String
    public var ascending: String
    public var descending: String
    /// From lowest to highest.
    public var sparkline: [Character]
    public var selectedMarker: String
    public var keyUp: String
    public var keyDown: String
    public var keyLeft: String
    public var keyRight: String
    /// A figure not measured yet (savings before a minute of running).
    public var dash: String = "-"

    public static let unicode = Glyphs(
        ellipsis: "…", vertical: "│", horizontal: "─", ascending: "▲", descending: "▼",
        sparkline: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], selectedMarker: "›",
        keyUp: "↑", keyDown: "↓", keyLeft: "←", keyRight: "→", dash: "—")
    public static let ascii = Glyphs(
        ellipsis: "~", vertical: "|", horizontal: "-", ascending: "^", descending: "v",
        sparkline: ["_", ".", ":", "-", "=", "+", "*", "#"], selectedMarker: ">",
        keyUp: "Up", keyDown: "Down", keyLeft: "Left", keyRight: "Right")
}
