import Foundation

/// Timing for the benchmark: each case runs repeatedly for at least `minimum` and the best
/// round of three is kept (the least disturbed by the other process on a 2-core machine).
enum Measure {
    static let minimum: Duration = .milliseconds(400)

    /// Seconds per iteration of `body`.
    static func secondsPerIteration(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        body()  // warm-up
        var best = Double.infinity
        for _ in 0..<3 {
            var iterations = 0
            let start = clock.now
            var elapsed: Duration = .zero
            repeat {
                body()
                iterations += 1
                elapsed = clock.now - start
            } while elapsed < minimum
            best = min(best, seconds(elapsed) / Double(iterations))
        }
        return best
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// Keeps the optimizer from deleting work whose result is unused.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// One line of the report.
struct BenchResult {
    var name: String
    var value: Double
    var unit: String
    var target: Double?
    var baselineName: String
    var baselineValue: Double
    var higherIsBetter = true

    var meetsTarget: Bool? {
        guard let target else { return nil }
        return higherIsBetter ? value >= target : value <= target
    }

    static func format(_ value: Double, _ unit: String) -> String {
        switch unit {
        case "B/s":
            if value >= 1e9 { return String(format: "%.2f GB/s", value / 1e9) }
            return String(format: "%.0f MB/s", value / 1e6)
        case "/s":
            if value >= 1e6 { return String(format: "%.2f M/s", value / 1e6) }
            return String(format: "%.0f k/s", value / 1e3)
        case "B":
            if value >= 1e6 { return String(format: "%.2f MB", value / 1e6) }
            return value >= 1e3 ? String(format: "%.1f KB", value / 1e3) : String(format: "%.0f B", value)
        case "%":
            return String(format: "%.2f %%", value)
        default:
            return String(format: "%.3g %@", value, unit)
        }
    }

    var line: String {
        let result = Self.format(value, unit)
        let targetText = target.map { (higherIsBetter ? "≥ " : "≤ ") + Self.format($0, unit) } ?? "-"
        let verdict = meetsTarget.map { $0 ? "ok" : "MISSED" } ?? ""
        // Three figures for a small ratio (bytes streamed against bytes polled).
        let ratio = baselineValue > 0
            ? String(format: value / baselineValue < 0.1 ? "%.3g×" : "%.2f×", value / baselineValue) : "-"
        let baseline = baselineName.isEmpty ? "-" : "\(baselineName) \(Self.format(baselineValue, unit))"
        return name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + result.padding(toLength: 13, withPad: " ", startingAt: 0)
            + targetText.padding(toLength: 14, withPad: " ", startingAt: 0)
            + verdict.padding(toLength: 8, withPad: " ", startingAt: 0)
            + baseline.padding(toLength: 38, withPad: " ", startingAt: 0)
            + ratio
    }
}
