import StreamCore
import StreamEngine
import StreamService

extension ServiceBench {
    /// `--profile feed N`: N ticks of `/v1/events` over 5,000 prepared snapshots, a tenth of
    /// them moving each tick (one event a second at ten ticks a second): the next body in
    /// pieces, the patch, its frame (`--profile feed-whole N`: the whole body built and diffed,
    /// as before). The bytes of the frames.
    static func profileFeed(ticks: Int, whole: Bool = false) -> Int {
        let start = Moment(nanoseconds: 10_000 * 1_000_000_000)
        let earlier = MonitorBench.snapshots(5_000, at: start)
        let later = MonitorBench.snapshots(5_000, at: start + .seconds(1))
        let body = StatusBody(time: SystemScheduler(), wall: SystemWallClock())
        var snapshots = earlier
        var parts = body.parts(version: 0, snapshots: snapshots, disk: nil, reusing: nil)
        var previous = parts.json
        var bytes = 0
        let clock = ContinuousClock()
        let began = clock.now
        for tick in 1...ticks {
            for index in stride(from: tick % 10, to: snapshots.count, by: 10) {
                let version = snapshots[index].version + 1
                snapshots[index] = snapshots[index].metrics.at == start ? later[index] : earlier[index]
                snapshots[index].version = version
            }
            if whole {  // as before StatusParts: the whole body built and diffed
                let next = body.streams(version: tick, snapshots: snapshots, disk: nil)
                let patch = JSONWriter.data(JSONDiff.diff(from: previous, to: next).json)
                bytes += EventsFeed.frame(event: "patch", id: tick, data: patch).count
                previous = next
                continue
            }
            let next = body.parts(version: tick, snapshots: snapshots, disk: nil, reusing: parts)
            bytes += StatusParts.patchFrame(
                from: parts, to: next, event: "patch", id: tick, reservingCapacity: bytes / tick + 4096).count
            parts = next
        }
        let seconds = Measure.seconds(clock.now - began)
        print(String(format: "%.2f ms a tick, %d bytes a patch", seconds * 1e3 / Double(ticks), bytes / ticks))
        return bytes
    }
}
