/// Sizes of one kind of payload over a period: exact mean, 95th percentile (nearest rank, as
/// `SizeStatistics`) and maximum, kept as a count per distinct size, so memory grows with the
/// number of distinct sizes, not with the number of payloads.
struct SizeDistribution: Sendable, Equatable {
    private(set) var count: Int64 = 0
    private(set) var total: Int64 = 0
    private(set) var max = 0
    private var counts: [Int: Int64] = [:]

    mutating func record(_ size: Int) {
        count += 1
        total += Int64(size)
        max = Swift.max(max, size)
        counts[size, default: 0] += 1
    }

    /// The figures people read; nil when nothing was recorded.
    var summary: Summary? {
        guard count > 0 else { return nil }
        return Summary(count: count, mean: Double(total) / Double(count), p95: quantile(0.95), max: max)
    }

    struct Summary: Sendable, Equatable {
        var count: Int64
        var mean: Double
        var p95: Int
        var max: Int
    }

    /// The `fraction` quantile by the nearest-rank method.
    func quantile(_ fraction: Double) -> Int {
        let rank = Swift.max(1, Int64((fraction * Double(count)).rounded(.up)))
        var seen: Int64 = 0
        for (size, number) in counts.sorted(by: { $0.key < $1.key }) {
            seen += number
            if seen >= rank { return size }
        }
        return max
    }
}
