/// Values as a row of block characters, scaled to the largest.
enum Sparkline {
    static func render(_ values: [Double], width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let shown = Array(values.suffix(width))
        let top = shown.max() ?? 0
        let levels = glyphs.sparkline
        return String(shown.map { value -> Character in
            guard top > 0, value > 0 else { return " " }
            let level = Int((value / top * Double(levels.count - 1)).rounded())
            return levels[max(0, min(levels.count - 1, level))]
        })
    }
}
