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
        var entries = KeyMap.footerEntries(for: context, glyphs: glyphs)
        if detaches { entries = entries.map { $0.action == .quit ? ($0.key, "Detach", $0.action) : $0 } }
        for entry in FooterView.fitting(entries, width: rect.width) {
            guard x < rect.right else { break }
            x = screen.write(entry.key, row: rect.top, column: x, limit: rect.right, style: Style(.hiFG, bold: true))
            let label = entry.label.isEmpty ? "  " : " " + entry.label + "  "
            x = screen.write(label, row: rect.top, column: x, limit: rect.right, style: Style(.headerFG))
        }
    }

    /// Which entries stay longest on a narrow terminal (higher stays): help and quit always,
    /// then what an operator does most.
    static func priority(_ action: Action) -> Int {
        switch action {
        case .help, .quit: return 100
        case .back: return 95
        case .openDetail: return 90
        case .toggleRunning: return 85
        case .toggleLog: return 80
        case .filter, .searchLog: return 75
        case .pickSort: return 70
        case .groups: return 72  // streaming against polling: what the program is for
        case .add: return 60
        case .edit: return 55
        case .delete: return 50
        case .nextTheme: return 40
        default: return 30
        }
    }

    /// The entries that fit in `width`, in the key map's order: the lowest-priority ones go
    /// first; when help and quit alone are still too wide, the labels go (keys only).
    static func fitting(
        _ entries: [(key: String, label: String, action: Action)], width: Int
    ) -> [(key: String, label: String, action: Action)] {
        func length(_ entries: [(key: String, label: String, action: Action)]) -> Int {
            entries.reduce(0) { $0 + $1.key.count + ($1.label.isEmpty ? 0 : 1 + $1.label.count) + 2 } - 2
        }
        var kept = entries
        while length(kept) > width, let drop = kept.indices.filter({ priority(kept[$0].action) < 100 })
            .min(by: { priority(kept[$0].action) < priority(kept[$1].action) }) {
            kept.remove(at: drop)
        }
        if length(kept) > width { kept = kept.map { ($0.key, "", $0.action) } }
        return kept
    }
}
