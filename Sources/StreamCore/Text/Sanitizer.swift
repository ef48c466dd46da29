/// The one sanitizer for untrusted text on its way to a terminal.
///
/// Everything that came from the network (event data, headers, URLs, error bodies, JSON
/// strings) passes through here before it is printed or drawn, so no escape sequence from a
/// stream can move the cursor, retitle the window or change colours. C0 controls become their
/// visible Control Pictures (ESC shows as `␛`), DEL shows as `␡`, and C1 controls and the
/// Unicode bidirectional overrides (which can make text read differently than it is) become
/// U+FFFD.
public enum Sanitizer {
    /// Sanitizes text for a single line: newlines and tabs are replaced too.
    public static func line(_ text: String) -> String {
        sanitize(text, keepLineBreaks: false)
    }

    /// Sanitizes text that may span lines: LF is kept, every other control is replaced.
    public static func multiline(_ text: String) -> String {
        sanitize(text, keepLineBreaks: true)
    }

    /// True when `scalar` must not reach a terminal raw.
    @inline(__always)
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (v >= 0x7F && v <= 0x9F) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
    }

    static func sanitize(_ text: String, keepLineBreaks: Bool) -> String {
        // Fast path: most text is clean and is returned without a copy.
        guard text.unicodeScalars.contains(where: { isUnsafe($0) }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isUnsafe(scalar) || (keepLineBreaks && scalar == "\n") {
                result.append(scalar)
            } else {
                result.append(replacement(for: scalar))
            }
        }
        return String(result)
    }

    static func replacement(for scalar: Unicode.Scalar) -> Unicode.Scalar {
        let v = scalar.value
        if v < 0x20 { return Unicode.Scalar(0x2400 + v)! }  // ␀ … ␟ (␛ for ESC)
        if v == 0x7F { return "\u{2421}" }  // ␡
        return "\u{FFFD}"
    }
}
