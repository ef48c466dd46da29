import StreamCore

/// How a stream received its data.
enum ArchiveMode: String, Sendable {
    case sse, poll
}

/// One stream over a period.
struct StreamReport: Sendable, Equatable {
    var id: String
    var name: String?
    var group: String?
    var mode: ArchiveMode
    /// Counts, bytes and seconds in the period (zero without counters records).
    var counters: ArchiveCounters
    var hasCounters: Bool
    /// Share of the running time it was open.
    var uptimeShare: Double?
    /// Share of counter intervals (a minute each) in which the document changed.
    var changeFrequency: Double?
    /// Changes per hour of running time; nil before `Savings.minimumRunning` of it.
    var changesPerHour: Double?
    var snapshotSizes: SizeDistribution.Summary?
    var patchSizes: SizeDistribution.Summary?
    var bodySizes: SizeDistribution.Summary?
    /// Per UTC hour of the period (`ArchiveReport.hours`).
    var hourlyWireBytes: [Int64]
    var hourlyChanges: [Int64]
    /// Its group's savings, or a lone poller's own (set by `ArchiveReport`).
    var savings: Double?

    var runningTime: Duration { .seconds(counters.running) }
}

/// A group over a period: its first stream and its first poller (by id, as the engine pairs
/// them), or a group of pollers alone.
struct GroupReport: Sendable, Equatable {
    var name: String
    var streamed: StreamReport?
    var polled: StreamReport?
    /// `Savings.groupPair` over the period's totals, or for a group without a stream the
    /// poller's `Savings.pollerPair`; nil before both ran `Savings.minimumRunning`.
    var pair: Savings.Pair?
    var savings: Double? { pair?.savings }
    /// Changes the poller missed an hour (`Savings.missedPerHour`), and over the poller's
    /// running time.
    var missedPerHour: Double?
    var missedChanges: Double? {
        guard let missedPerHour, let polled else { return nil }
        return missedPerHour * polled.counters.running / 3600
    }
}

/// Everything `streamtop report` says about a period.
struct ArchiveReport: Sendable, Equatable {
    var period: ReportPeriod
    /// The starts of the UTC hours of the period.
    var hours: [UTCTime]
    var streams: [StreamReport]
    var groups: [GroupReport]
    /// All groups and lone pollers together (`Savings.combined`).
    var savings: Double?

    var isEmpty: Bool { streams.isEmpty }

    init(period: ReportPeriod, streams: [StreamReport]) {
        self.period = period
        hours = (0..<period.hourCount).map { UTCTime(secondsSinceEpoch: Double(period.firstHour + $0) * 3600) }
        var streams = streams.sorted { $0.id < $1.id }
        var names: [String] = []
        var members: [String: (streamed: Int?, polled: Int?)] = [:]
        for (index, stream) in streams.enumerated() {
            guard let group = stream.group else { continue }
            if members[group] == nil { names.append(group) }
            switch stream.mode {
            case .sse: if members[group]?.streamed == nil { members[group, default: (nil, nil)].streamed = index }
            case .poll: if members[group]?.polled == nil { members[group, default: (nil, nil)].polled = index }
            }
        }
        var pairs: [Savings.Pair] = []
        var paired: Set<Int> = []
        groups = names.sorted().map { name in
            let (streamedIndex, polledIndex) = members[name] ?? (nil, nil)
            var group = GroupReport(
                name: name, streamed: streamedIndex.map { streams[$0] }, polled: polledIndex.map { streams[$0] })
            if let streamed = group.streamed, let polled = group.polled {
                group.pair = Savings.groupPair(
                    streamedBytes: streamed.counters[.wireBytes], streamedTime: streamed.runningTime,
                    polledBytes: polled.counters[.wireBytes], polledTime: polled.runningTime)
                group.missedPerHour = Savings.missedPerHour(
                    streamedChanges: streamed.counters[.changes], streamedTime: streamed.runningTime,
                    polledChanges: polled.counters[.changes], polledTime: polled.runningTime)
                paired.formUnion([streamedIndex, polledIndex].compactMap { $0 })
                if let pair = group.pair { pairs.append(pair) }
                for index in [streamedIndex, polledIndex].compactMap({ $0 }) { streams[index].savings = group.savings }
            }
            return group
        }
        // Lone pollers: ungrouped, the second poller of a group, or a group's only member.
        for index in streams.indices where streams[index].mode == .poll && !paired.contains(index) {
            let counters = streams[index].counters
            let pair = Savings.pollerPair(
                wouldBePatchBytes: counters[.wouldBePatchBytes], pollBodyBytes: counters[.pollBodyBytes],
                time: streams[index].runningTime)
            streams[index].savings = pair?.savings
            if let pair { pairs.append(pair) }
        }
        for index in groups.indices where groups[index].streamed == nil {
            guard let polled = groups[index].polled, let polledIndex = members[groups[index].name]?.polled else {
                continue
            }
            groups[index].polled = streams[polledIndex]
            groups[index].pair = Savings.pollerPair(
                wouldBePatchBytes: polled.counters[.wouldBePatchBytes], pollBodyBytes: polled.counters[.pollBodyBytes],
                time: polled.runningTime)
        }
        self.streams = streams
        savings = pairs.isEmpty ? nil : Savings.combined(pairs)
    }
}
