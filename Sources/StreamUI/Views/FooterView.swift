/// The bottom line: the keys that matter on the current screen, from the key map.
struct FooterView {
    let context: KeyContext

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 0 else { return }
        screen.fill(row: rect.top, column: rect.left, width: rect.width, style: Style(.headerFG))
        var x = rect.left
        for entry in KeyMap.footer(for: context) {
            guard x < rect.right else { break }
            x = screen.write(entry.key, row: rect.top, column: x, limit: rect.right, style: Style(.hiFG, bold: true))
            x = screen.write(" " + entry.label + "  ", row: rect.top, column: x, limit: rect.right, style: Style(.headerFG))
        }
    }
}
