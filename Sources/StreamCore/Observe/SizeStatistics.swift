/// Sizes of one kind of payload (snapshots, patches or poll bodies): the last, the mean and
/// the maximum over the stream's life, and the median and 95th percentile over the most
/// recent `window` samples (exact over those, in bounded memory).
public struct SizeStatistics: Sendable, Equatable {
    /// 256 recent sizes: minutes of a stream at an event a second, 2 KiB a kind (kept twice: as
    /// they came, and sorted).
    public static let window = 256

    public private(set) var count: Int64 = 0
    public private(set) var total: Int64 = 0
    public private(set) var last: Int = 0
    public private(set) var max: Int = 0
    private var recent: [Int32] = []
    /// The same samples, kept sorted (one insertion and one removal per sample), so that
    /// quantiles cost a lookup however often snapshots are taken.
    private var sorted: [Int32] = []
    private var next = 0

    public init() {}

    public mutating func record(_ size: Int) {
        count += 1
        total += Int64(size)
        last = size
        max = Swift.max(max, size)
        let clamped = Int32(clamping: size)
        if recent.count < SizeStatistics.window {
            recent.append(clamped)
            sorted.insert(clamped, at: SizeStatistics.insertionIndex(of: clamped, in: sorted))
            return
        }
        let evicted = recent[next]
        recent[next] = clamped
        next = (next + 1) % SizeStatistics.window
        SizeStatistics.replace(evicted, with: clamped, in: &sorted)
    }

    /// Replaces one `old` in `sorted` with `new`, keeping it sorted: the elements between the
    /// two places move by one, in one `memmove`, instead of a removal and an insertion that
    /// each move the rest of the array.
    static func replace(_ old: Int32, with new: Int32, in sorted: inout [Int32]) {
        let from = insertionIndex(of: old, in: sorted)
        if new > old {
            // After `old` leaves, `new` goes after every value below it.
            let to = insertionIndex(of: new, in: sorted) - 1
            sorted.withUnsafeMutableBufferPointer { values in
                let base = values.baseAddress!
                (base + from).update(from: base + from + 1, count: to - from)
                base[to] = new
            }
        } else if new < old {
            let to = insertionIndex(of: new, in: sorted)
            sorted.withUnsafeMutableBufferPointer { values in
                let base = values.baseAddress!
                (base + to + 1).update(from: base + to, count: from - to)
                base[to] = new
            }
        }
    }

    public var mean: Double { count == 0 ? 0 : Double(total) / Double(count) }

    /// The `fraction` quantile (0…1) of the recent samples, by the nearest-rank method; 0 when
    /// there are none.
    public func quantile(_ fraction: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        let rank = Swift.max(1, Int((fraction * Double(sorted.count)).rounded(.up)))
        return Int(sorted[Swift.min(rank, sorted.count) - 1])
    }

    /// The first index whose value is not less than `value` (binary search).
    private static func insertionIndex(of value: Int32, in sorted: [Int32]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public var median: Int { quantile(0.5) }
    public var p95: Int { quantile(0.95) }
}
