import CCurses
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many terminal columns text takes, as the terminal will draw it: the C library's
/// `wcwidth` in the current locale, which is also what ncurses uses to place characters, so
/// the in-memory screen and the real one agree (CJK and most emoji take two columns,
/// combining marks none).
public enum DisplayWidth {
    /// The width of one grapheme (a base character with any combining marks): the base's
    /// width; -1 when the locale cannot print it (the caller shows a replacement).
    public static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if first.value < 0x80 { return first.value >= 0x20 && first.value != 0x7F ? 1 : -1 }
        let width = Int(ccurses_wcwidth(first.value))
        // An emoji presentation selector makes a text-style symbol a two-column emoji.
        if width == 1, character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return width
    }

    /// The width of a string, counting unprintable characters as their one-column replacement.
    public static func of(_ text: String) -> Int {
        // Printable ASCII (most of what the table shows) is one column a byte.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        var total = 0
        for character in text { total += max(1, of(character)) }
        return total
    }

    /// Makes widths right for UTF-8 written outside the monitor (`list`'s columns): the
    /// environment's character type when it is UTF-8, else C.UTF-8, since what is written is
    /// UTF-8 whatever the locale says (a process starts in the C locale, where `wcwidth` knows
    /// no CJK). Only `LC_CTYPE` changes: numbers are formatted as before.
    public static func measureUTF8() {
        if ccurses_locale_is_utf8() != 0 { return }
        setlocale(LC_CTYPE, "")
        if ccurses_locale_is_utf8() == 0 { setlocale(LC_CTYPE, "C.UTF-8") }
    }
}
