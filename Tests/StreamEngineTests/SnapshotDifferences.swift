import StreamCore
@testable import StreamEngine

/// Where two values differ, field by field, as paths (`metrics.lastEventAt`, `status.state.failed.attempt`):
/// a walk over every stored property (Mirror), so a field added later is compared without
/// being listed here. Moments of `expected` are shifted by `shift` (another process's clock)
/// and compared with `actual` within `tolerance`, as are durations; doubles exactly, or as STATUS
/// keeps them.
func differences(
    _ expected: Any, _ actual: Any, shift: Duration = .zero, tolerance: Duration = .milliseconds(1),
    path: String = "snapshot"
) -> [String] {
    if let x = expected as? Moment, let y = actual as? Moment {
        let off = abs((y - (x + shift)).nanoseconds)
        return off <= tolerance.nanoseconds ? [] : ["\(path): expected \(x + shift), got \(y)"]
    }
    if let x = expected as? Duration, let y = actual as? Duration {
        return abs((y - x).nanoseconds) <= tolerance.nanoseconds ? [] : ["\(path): expected \(x), got \(y)"]
    }
    if let x = expected as? Double, let y = actual as? Double {
        // STATUS keeps four significant digits of a measured number (`StatusText.measured`).
        let same = x == y || (x.isNaN && y.isNaN) || StatusText.measured(x) == y
        return same ? [] : ["\(path): expected \(x), got \(y)"]
    }
    let left = Mirror(reflecting: expected)
    let right = Mirror(reflecting: actual)
    let mismatch = ["\(path): expected \(expected), got \(actual)"]
    switch left.displayStyle {
    case .optional:
        switch (left.children.first?.value, right.children.first?.value) {
        case (nil, nil): return []
        case (let x?, let y?): return differences(x, y, shift: shift, tolerance: tolerance, path: path)
        default: return mismatch
        }
    case .enum:
        // A case without a payload has no children: its description is its name.
        guard let x = left.children.first, let y = right.children.first else {
            return "\(expected)" == "\(actual)" ? [] : mismatch
        }
        guard x.label == y.label else { return mismatch }
        return differences(x.value, y.value, shift: shift, tolerance: tolerance, path: "\(path).\(x.label ?? "?")")
    case .struct, .tuple, .class:
        guard left.children.count == right.children.count else { return mismatch }
        return zip(left.children, right.children).enumerated().flatMap { index, pair in
            differences(
                pair.0.value, pair.1.value, shift: shift, tolerance: tolerance,
                path: "\(path).\(pair.0.label ?? String(index))")
        }
    default:
        return "\(expected)" == "\(actual)" ? [] : mismatch
    }
}
