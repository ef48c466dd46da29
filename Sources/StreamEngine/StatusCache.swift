import StreamCore
import Synchronization

/// Each stream's STATUS as JSON text, kept while its snapshot stays the same: status.json,
/// `GET /v1/streams` and `/v1/events` share it (`Engine.statusTexts`), so a stream's STATUS is
/// written once for each publication, by whichever needs it first (with thousands of streams,
/// writing every STATUS is most of the cost of each).
///
/// The text depends on the snapshot alone (and the engine's `wallTime`, fixed for its lifetime),
/// so an entry is used only for a snapshot equal to the one it was written from:
/// never a version number alone, which starts again when a stream is edited or re-added.
/// Entries of streams that are gone are dropped by the next whole list. Shared across threads
/// behind a lock that is never held while writing.
package final class StatusCache: Sendable {
    /// Shared, not copied: a snapshot is large, and a list of thousands passes through here.
    private final class Entry: Sendable {
        let snapshot: StreamSnapshot
        let text: StatusText
        /// The measured numbers in `text`, and when they were taken.
        let measured: StatusText.Measured
        let measuredAt: Moment

        init(snapshot: StreamSnapshot, text: StatusText, measured: StatusText.Measured, measuredAt: Moment) {
            self.snapshot = snapshot
            self.text = text
            self.measured = measured
            self.measuredAt = measuredAt
        }
    }

    /// How long a stream's measured numbers (rates, shares, means, percentiles) stand in its
    /// STATUS while it keeps its state: its counters and times change with every publication,
    /// these at most this often. With every stream publishing every second, they were half of
    /// each patch of `/v1/events` (a 1-minute rate moves in its fourth digit every second)
    /// and of what an attached monitor applies; status.json is written within a second anyway.
    package static let measuredBeat: Duration = .seconds(5)

    /// The entry of `snapshot`, given the stream's last one.
    private func write(_ snapshot: StreamSnapshot, after last: Entry?) -> Entry {
        let at = snapshot.metrics.at
        if let last, last.snapshot.status.state.name == snapshot.status.state.name, last.measuredAt <= at,
           at - last.measuredAt < StatusCache.measuredBeat {
            let text = snapshot.statusText(wall: wall, measured: last.measured)
            return Entry(snapshot: snapshot, text: text, measured: last.measured, measuredAt: last.measuredAt)
        }
        let measured = StatusText.Measured(snapshot.metrics)
        let text = snapshot.statusText(wall: wall, measured: measured)
        return Entry(snapshot: snapshot, text: text, measured: measured, measuredAt: at)
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// The times STATUS is written in.
    package let wall: WallTime

    package init(wall: WallTime) {
        self.wall = wall
    }

    /// The STATUS text of each of `snapshots`, in order: kept ones where the snapshot is
    /// unchanged, the others written and kept. `snapshots` is the whole list: streams not in
    /// it are forgotten.
    package func texts(for snapshots: [StreamSnapshot]) -> [StatusText] {
        var texts: [StatusText] = []
        texts.reserveCapacity(snapshots.count)
        var written: [Entry] = []
        var forget = false
        var found = 0
        do {
            // Read from a copy taken under the lock and written outside it; the copy is gone
            // before the new entries go in, so that they do not copy the whole dictionary.
            let kept = entries.withLock { $0 }
            for snapshot in snapshots {
                let entry = kept[snapshot.id]
                if entry != nil { found += 1 }
                if let entry, StatusCache.same(entry.snapshot, snapshot) {
                    texts.append(entry.text)
                } else {
                    let entry = write(snapshot, after: entry)
                    texts.append(entry.text)
                    written.append(entry)
                }
            }
            forget = kept.count > found
        }
        guard forget || !written.isEmpty else { return texts }
        let current = forget ? Set(snapshots.map(\.id)) : nil
        entries.withLock { entries in
            if let current { entries = entries.filter { current.contains($0.key) } }
            for entry in written { entries[entry.snapshot.id] = entry }
        }
        return texts
    }

    /// One stream's STATUS text (kept, or written and kept).
    package func text(for snapshot: StreamSnapshot) -> StatusText {
        let last = entries.withLock { $0[snapshot.id] }
        if let last, StatusCache.same(last.snapshot, snapshot) { return last.text }
        let entry = write(snapshot, after: last)
        entries.withLock { $0[snapshot.id] = entry }
        return entry.text
    }

    /// How many streams have their text kept.
    package var count: Int { entries.withLock { $0.count } }

    /// Whether two snapshots of a stream are the same: the version and time first, as most
    /// that differ differ there; the names also by their scalars (`==` on `String` is
    /// canonical equivalence, and STATUS writes the scalars).
    @inline(__always)
    package static func same(_ a: StreamSnapshot, _ b: StreamSnapshot) -> Bool {
        a.version == b.version && a.metrics.at == b.metrics.at && a == b && a.id.scalarsEqual(b.id)
            && a.name.scalarsEqual(b.name) && a.url.scalarsEqual(b.url)
    }
}
