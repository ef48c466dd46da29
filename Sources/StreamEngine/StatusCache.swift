import StreamCore
import StreamEngine
import Synchronization

/// Each stream's STATUS as JSON text, kept while its snapshot stays the same: `GET /v1/streams`
/// and `/v1/events`' first event write again only the streams that published since the last
/// body (with thousands of streams, building and writing every STATUS is most of the cost).
///
/// The text depends on the snapshot alone (and the `StatusBody`'s clock offset, fixed for its
/// lifetime), so an entry is used only for a snapshot equal to the one it was written from:
/// never a version number alone, which starts again when a stream is edited or re-added.
/// Entries of streams that are gone are dropped by the next whole list. Shared across threads
/// behind a lock that is never held while writing.
package final class StatusCache: Sendable {
    private struct Entry {
        var snapshot: StreamSnapshot
        var text: [UInt8]
    }

    private let entries = Mutex<[String: Entry]>([:])

    package init() {}

    /// The STATUS text of each of `snapshots`, in order: kept ones where the snapshot is
    /// unchanged, the others written from `status(index)` and kept. `snapshots` is the whole
    /// list: streams not in it are forgotten.
    package func texts(for snapshots: [StreamSnapshot], status: (Int) -> JSONValue) -> [[UInt8]] {
        let kept = entries.withLock { $0 }
        var texts: [[UInt8]] = []
        texts.reserveCapacity(snapshots.count)
        var written: [Entry] = []
        for (index, snapshot) in snapshots.enumerated() {
            if let entry = kept[snapshot.id], StatusCache.same(entry.snapshot, snapshot) {
                texts.append(entry.text)
            } else {
                let entry = Entry(snapshot: snapshot, text: JSONWriter.data(status(index)))
                texts.append(entry.text)
                written.append(entry)
            }
        }
        let current = kept.count > snapshots.count ? Set(snapshots.map(\.id)) : nil
        entries.withLock { entries in
            if let current { entries = entries.filter { current.contains($0.key) } }
            for entry in written { entries[entry.snapshot.id] = entry }
        }
        return texts
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
