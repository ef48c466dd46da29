/// The bottom line: the keys that matter on the current screen, from the key map.
struct FooterView {
    let context: KeyContext
    /// Attached to an engine in another process: `q` detaches rather than quits.
    var detaches = false
    let glyphs: Glyphs

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 0 else { return }
        screen.fill(row: rect.top, column: rect.left, width: rect.width, style: Style(.headerFG))
        var x = rect.left
        var entries = KeyMap.footer(for: context, glyphs: glyphs)
        if detaches { entries = entries.map { $0.label == "Quit" ? ($0.key, "Detach") : $0 } }
        for entry in FooterView.fitting(entries, width: rect.width) {
            guard x < rect.right else { break }
            x = screen.write(entry.key, row: rect.top, column: x, limit: rect.right, style: Style(.hiFG, bold: true))
            x = screen.write(" " + entry.label + "  ", row: rect.top, column: x, limit: rect.right, style: Style(.headerFG))
        }
    }

    /// The entries that fit in `width`: when they all do not, those before the last two go
    /// from the end first, so that help and quit stay on a narrow terminal (80 columns).
    static func fitting(_ entries: [(key: String, label: String)], width: Int) -> [(key: String, label: String)] {
        func length(_ entries: [(key: String, label: String)]) -> Int {
            entries.reduce(0) { $0 + $1.key.count + 1 + $1.label.count + 2 } - 2
        }
        var kept = entries
        while length(kept) > width && kept.count > 2 { kept.remove(at: kept.count - 3) }
        return kept
    }
}
