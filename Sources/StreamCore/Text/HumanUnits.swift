/// Numbers for people: `512 B`, `1.5 KiB`, `1.2k`, `3m`. One place, so the command line and
/// the monitor say the same thing the same way.
public enum HumanUnits {
    /// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `12.0 MiB`.
    public static func bytes(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(max(0, bytes)) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1023.95 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(tenths(value)) \(units[unit])"
    }

    /// A size as people write it: `500M`, `2G`, `1.5GiB`, `4096`: a number, then optionally
    /// `K`, `M`, `G` or `T` (powers of 1024, either case), optionally followed by `B` or `iB`.
    /// Nil for anything else, or more than an `Int` holds.
    public static func parseBytes(_ text: String) -> Int? {
        let number = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        var unit = text.dropFirst(number.count).lowercased()
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number.first != ".", number.last != ".",
              let value = Double(number) else { return nil }
        if unit.count == 3 && unit.hasSuffix("ib") {
            unit.removeLast(2)
        } else if unit.hasSuffix("b") {
            unit.removeLast()
        }
        let units: [String: Int] = ["": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        guard let multiplier = units[unit] else { return nil }
        let bytes = (value * Double(multiplier)).rounded(.down)
        guard bytes < 9.2e18 else { return nil }
        return Int(bytes)
    }

    /// A count: `999`, `1.2k`, `3.4M`, `5.6G`.
    public static func count(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "-" }
        if value < 1000 {
            // Whole numbers stay whole; small rates keep a decimal (0.3, 2.5).
            return value == value.rounded() || value >= 100 ? "\(Int(value.rounded()))" : tenths(value)
        }
        let units = ["k", "M", "G", "T"]
        var scaled = value / 1000
        var unit = 0
        while scaled >= 999.95 && unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        return tenths(scaled) + units[unit]
    }

    /// A duration, in its largest unit: `45s`, `3m`, `2h`, `4d`; `0s` for less than a second.
    public static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        let whole = Int(seconds)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" }
        if whole < 86_400 { return "\(whole / 3600)h" }
        return "\(whole / 86_400)d"
    }

    /// A span in at most six characters, to the second while that matters: `47s`, `1m47s`,
    /// `14m`, `3h05m`, `2d04h` (an incident's length).
    public static func span(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        let whole = Int(min(seconds, 1e12))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if whole < 60 { return "\(whole)s" }
        if whole < 600 { return "\(whole / 60)m\(two(whole % 60))s" }
        if whole < 3600 { return "\(whole / 60)m" }
        if whole < 86_400 { return "\(whole / 3600)h\(two(whole % 3600 / 60))m" }
        return "\(whole / 86_400)d\(two(whole % 86_400 / 3600))h"
    }

    /// A share as a whole percentage: `42%`; `-` for nil.
    public static func percent(_ share: Double?) -> String {
        guard let share, share.isFinite else { return "-" }
        return "\(Int((share * 100).rounded()))%"
    }

    /// A share as a percentage in at most five characters, for a table cell: `42%`, `-180%`;
    /// from ±1,000 % on, in thousands: `-2k%`, `-18k%` (streaming an API that rarely changes
    /// can cost many times the bytes of polling it); past that, `<-99k` or `>99k`.
    public static func shortPercent(_ share: Double?) -> String {
        guard let share, share.isFinite else { return "-" }
        let percent = (share * 100).rounded()
        if abs(percent) < 1000 { return "\(Int(percent))%" }
        let thousands = (percent / 1000).rounded()
        if abs(thousands) <= 99 { return "\(Int(thousands))k%" }
        return percent < 0 ? "<-99k" : ">99k"
    }

    private static func tenths(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
