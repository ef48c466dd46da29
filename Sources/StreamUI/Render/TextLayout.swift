/// Fitting text into columns by display width: truncation with an ellipsis, padding and
/// right alignment, so that table cells with CJK or emoji line up.
public enum TextLayout {
    /// `text` cut to at most `width` columns; when cut, it ends with `ellipsis`.
    public static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if DisplayWidth.of(text) <= width { return text }
        let room = width - DisplayWidth.of(ellipsis)
        var result = ""
        var used = 0
        for character in text {
            let w = max(1, DisplayWidth.of(character))
            if used + w > room { break }
            result.append(character)
            used += w
        }
        return room >= 0 ? result + ellipsis : String(result.prefix(width))
    }

    /// `text` fitted to exactly `width` columns (truncated, then padded on the right, or on
    /// the left when `right` is set).
    public static func fit(_ text: String, width: Int, right: Bool = false, ellipsis: String = "…") -> String {
        let cut = truncate(text, to: width, ellipsis: ellipsis)
        let pad = String(repeating: " ", count: max(0, width - DisplayWidth.of(cut)))
        return right ? pad + cut : cut + pad
    }

    /// `text` broken into lines of at most `width` columns, at spaces where it can be (a word
    /// longer than a line is cut).
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var used = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(word)
            var wordWidth = DisplayWidth.of(word)
            if used > 0, used + 1 + wordWidth > width {
                lines.append(line)
                (line, used) = ("", 0)
            } else if used > 0 {
                line += " "
                used += 1
            }
            while wordWidth > width - used, width - used > 0, wordWidth > width {
                let head = truncate(word, to: width - used, ellipsis: "")
                lines.append(line + head)
                word = String(word.dropFirst(head.count))
                wordWidth = DisplayWidth.of(word)
                (line, used) = ("", 0)
            }
            line += word
            used += wordWidth
        }
        lines.append(line)
        return lines
    }
}
