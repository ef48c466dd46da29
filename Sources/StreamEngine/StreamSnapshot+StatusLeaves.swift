import StreamCore

/// One leaf of a STATUS set on a decoded snapshot: what a monitor attached over the API does
/// with `/v1/events`' `replace` of `/streams/N/<leaf>`, instead of decoding the whole STATUS
/// again for a changed counter. `StatusLeavesTests` proves that setting the leaves that differ
/// between two STATUS gives what decoding the second one gives.
extension StreamSnapshot {
    /// Sets leaf `leaf` (an index into `StatusText.leafPaths`) to `value`; false, changing
    /// nothing, when the value is not of its type or the leaf has no setter (the state and
    /// what goes with it: decode the whole STATUS then).
    package mutating func setLeaf(_ leaf: Int, to value: JSONValue, wall: WallTime) -> Bool {
        guard leaf >= 0, leaf < StreamSnapshot.leafSetters.count, let set = StreamSnapshot.leafSetters[leaf] else {
            return false
        }
        return set(&self, value, wall)
    }

    typealias LeafSetter = (inout StreamSnapshot, JSONValue, WallTime) -> Bool

    /// Each leaf's setter, in `StatusText.leafPaths` order (nil: decode the whole STATUS).
    /// Built once and never changed, so readable from any thread: the closures hold key paths,
    /// which the compiler does not take for `Sendable`.
    nonisolated(unsafe) static let leafSetters: [LeafSetter?] = StatusText.leafPaths.map { setters[$0] }

    private static func integer(_ path: WritableKeyPath<StreamSnapshot, Int64>) -> LeafSetter {
        { snapshot, value, _ in
            guard let integer = value.numberValue?.intValue else { return false }
            snapshot[keyPath: path] = Int64(integer)
            return true
        }
    }

    private static func double(_ path: WritableKeyPath<StreamSnapshot, Double>) -> LeafSetter {
        { snapshot, value, _ in
            guard let number = value.numberValue else { return false }
            snapshot[keyPath: path] = number.doubleValue
            return true
        }
    }

    private static func optionalDouble(_ path: WritableKeyPath<StreamSnapshot, Double?>) -> LeafSetter {
        { snapshot, value, _ in
            if value == .null {
                snapshot[keyPath: path] = nil
                return true
            }
            guard let number = value.numberValue else { return false }
            snapshot[keyPath: path] = number.doubleValue
            return true
        }
    }

    private static func optionalString(_ path: WritableKeyPath<StreamSnapshot, String?>) -> LeafSetter {
        { snapshot, value, _ in
            switch value {
            case .null: snapshot[keyPath: path] = nil
            case .string(let text): snapshot[keyPath: path] = text
            default: return false
            }
            return true
        }
    }

    /// A time (seconds since the epoch, or null) as a moment; `then` fixes what follows from it.
    private static func time(
        _ path: WritableKeyPath<StreamSnapshot, Moment?>, then: @escaping (inout StreamSnapshot) -> Void = { _ in }
    ) -> LeafSetter {
        { snapshot, value, wall in
            if value == .null {
                snapshot[keyPath: path] = nil
            } else {
                guard let seconds = value.numberValue?.doubleValue, let moment = wall.moment(seconds) else {
                    return false
                }
                snapshot[keyPath: path] = moment
            }
            then(&snapshot)
            return true
        }
    }

    private static func sizes(_ path: WritableKeyPath<StreamSnapshot, SizeSummary>) -> [String: LeafSetter] {
        let name = path == \.metrics.snapshotSizes ? "snapshotSizes" : path == \.metrics.patchSizes
            ? "patchSizes" : "pollBodySizes"
        func whole(_ field: WritableKeyPath<SizeSummary, Int>) -> LeafSetter {
            { snapshot, value, _ in
                guard let integer = value.numberValue?.intValue else { return false }
                snapshot[keyPath: path.appending(path: field)] = integer
                return true
            }
        }
        return [
            "/\(name)/count": integer(path.appending(path: \SizeSummary.count)),
            "/\(name)/last": whole(\.last), "/\(name)/median": whole(\.median), "/\(name)/p95": whole(\.p95),
            "/\(name)/max": whole(\.max), "/\(name)/mean": double(path.appending(path: \SizeSummary.mean)),
        ]
    }

    /// The leaves a setter can change alone. Not here: the state, its attempt and next attempt
    /// (one `StreamState` together), and the mode.
    nonisolated(unsafe) private static let setters: [String: LeafSetter] = {
        var setters: [String: LeafSetter] = [
            "/id": { snapshot, value, _ in
                guard case .string(let text) = value else { return false }
                snapshot.id = text
                return true
            },
            "/name": { snapshot, value, _ in
                guard case .string(let text) = value else { return false }
                snapshot.name = text
                return true
            },
            "/url": { snapshot, value, _ in
                guard case .string(let text) = value else { return false }
                snapshot.url = text
                return true
            },
            "/group": optionalString(\.group),
            "/served": { snapshot, value, wall in
                if value == .null {
                    snapshot.served = nil
                    return true
                }
                guard let served = try? ServedCounters(statusJSON: value, wall: wall) else { return false }
                snapshot.served = served
                return true
            },
            "/version": { snapshot, value, _ in
                guard let version = value.numberValue?.intValue else { return false }
                snapshot.version = version
                return true
            },
            // The moment of the numbers: the ages measured to it move with it.
            "/updatedAt": { snapshot, value, wall in
                guard let seconds = value.numberValue?.doubleValue, let at = wall.moment(seconds) else { return false }
                let started = snapshot.metrics.at - snapshot.metrics.uptime
                snapshot.metrics.at = at
                snapshot.metrics.uptime = at - started
                snapshot.metrics.timeSinceLastChange = snapshot.metrics.lastChangeAt.map { at - $0 }
                return true
            },
            "/since": { snapshot, value, wall in
                guard let seconds = value.numberValue?.doubleValue, let since = wall.moment(seconds) else {
                    return false
                }
                snapshot.status.since = since
                return true
            },
            "/incidentSince": time(\.status.incidentSince),
            "/lastError": optionalString(\.status.lastError),
            "/storageError": optionalString(\.status.storageError),
            "/startedAt": { snapshot, value, wall in
                guard let seconds = value.numberValue?.doubleValue, let started = wall.moment(seconds) else {
                    return false
                }
                snapshot.metrics.uptime = snapshot.metrics.at - started
                return true
            },
            "/uptimeShare": optionalDouble(\.metrics.uptimeShare),
            "/runningSince": time(\.metrics.runningSince),
            "/runningSecondsBefore": { snapshot, value, _ in
                guard let seconds = value.numberValue?.doubleValue, seconds >= 0, seconds < 1e12 else { return false }
                snapshot.metrics.runningBefore = .milliseconds(Int64((seconds * 1000).rounded()))
                return true
            },
            "/lastEventAt": time(\.metrics.lastEventAt),
            "/lastChangeAt": time(\.metrics.lastChangeAt) { snapshot in
                snapshot.metrics.timeSinceLastChange = snapshot.metrics.lastChangeAt.map { snapshot.metrics.at - $0 }
            },
            "/changeFrequency": optionalDouble(\.metrics.changeFrequency),
            "/changesPerHour": double(\.metrics.changesPerHour),
            "/pollSavings": { _, value, _ in value == .null || value.numberValue != nil },  // derived
        ]
        let counters: [(String, WritableKeyPath<StreamSnapshot, Int64>)] = [
            ("wireBytes", \.metrics.wireBytes), ("payloadBytes", \.metrics.payloadBytes),
            ("events", \.metrics.events), ("snapshots", \.metrics.snapshots), ("patches", \.metrics.patches),
            ("patchOperations", \.metrics.patchOperations), ("polls", \.metrics.polls),
            ("notModified", \.metrics.notModified), ("pollsSkipped", \.metrics.pollsSkipped),
            ("errors", \.metrics.errors), ("reconnects", \.metrics.reconnects), ("changes", \.metrics.changes),
            ("wouldBePatchBytes", \.metrics.wouldBePatchBytes), ("pollBodyBytes", \.metrics.pollBodyBytes),
            ("errors15m", \.metrics.recentErrors), ("reconnects15m", \.metrics.recentReconnects),
        ]
        for (key, path) in counters { setters["/" + key] = integer(path) }
        let rates: [(String, WritableKeyPath<StreamSnapshot, Rate>)] = [
            ("wireBytesPerSecond", \.metrics.wireBytesPerSecond), ("eventsPerSecond", \.metrics.eventsPerSecond),
            ("patchesPerMinute", \.metrics.patchesPerMinute),
        ]
        for (key, path) in rates {
            setters["/" + key] = double(path.appending(path: \Rate.oneMinute))
            setters["/" + key + "15m"] = double(path.appending(path: \Rate.fifteenMinutes))
        }
        for path in [\StreamSnapshot.metrics.snapshotSizes, \.metrics.patchSizes, \.metrics.pollBodySizes] {
            setters.merge(sizes(path)) { first, _ in first }
        }
        return setters
    }()
}
