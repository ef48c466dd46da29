import StreamEngine

/// The selected stream's recent log entries under the table: the newest at the bottom,
/// following the tail until the person scrolls; until the first read of the log arrives, it
/// says it is loading.
struct LogPaneView {
    let title: String
    let lines: Fetched<[(text: String, level: LogEntry.Level)]>
    let top: Int?
    let search: String
    let glyphs: Glyphs

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 1 else { return }
        screen.fill(row: rect.top, column: rect.left, width: rect.width, style: Style(.borderFocus))
        let following = top == nil ? "following" : "scrolled (G: follow)"
        guard let lines = lines.value else {
            let header = "\(glyphs.horizontal) log: \(title) \(glyphs.horizontal) \(glyphs.loading)"
            screen.write(header, row: rect.top, column: rect.left, limit: rect.right,
                         style: Style(.borderFocus, bold: true))
            screen.write(glyphs.loading, row: rect.top + 1, column: rect.left, limit: rect.right,
                         style: Style(.inactiveFG))
            return
        }
        screen.write("\(glyphs.horizontal) log: \(title) \(glyphs.horizontal) \(lines.count) entries, \(following)", row: rect.top, column: rect.left, limit: rect.right, style: Style(.borderFocus, bold: true))
        let height = rect.height - 1
        let first = top ?? max(0, lines.count - height)
        let needle = search.lowercased()
        for (offset, line) in lines.dropFirst(first).prefix(height).enumerated() {
            let role: ThemeRole = line.level == .error ? .logError : (line.level == .warn ? .logWarn : .logInfo)
            let match = !needle.isEmpty && line.text.lowercased().contains(needle)
            screen.write(line.text, row: rect.top + 1 + offset, column: rect.left, limit: rect.right, style: Style(role, underline: match))
        }
    }
}

extension Glyphs {
    /// What a view shows in place of what has not arrived yet.
    var loading: String { ellipsis == "…" ? "loading…" : "loading..." }
}
