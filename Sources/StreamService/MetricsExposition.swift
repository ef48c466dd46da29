import StreamCore
import StreamEngine

/// `GET /metrics`: the streams, the groups' savings and the process in Prometheus's text
/// format 0.0.4. A pure function of its inputs (the caller reads the store, the clocks and
/// `ProcessStats.current()`).
///
/// Stream series carry `stream`, `mode`, `group` (empty when none) and `shard` (`0/1` unsharded).
/// Counters restart from zero when a stream's settings are edited (its measurements start
/// over), which Prometheus's `rate` handles as a reset. Poll responses count in
/// `streamtop_polls_total` (and `streamtop_not_modified_total`), not in `streamtop_events_total`.
package enum MetricsExposition {
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every state name, each a series of `streamtop_stream_state` (1 for the current one).
    static let stateNames = [
        "idle", "waiting", "connecting", "open", "reconnecting", "stalled", "failed", "stopped", "stopped by server",
    ]

    /// `wall` and `now` are the same instant on the wall clock and the engine's monotonic clock
    /// (for `streamtop_last_change_timestamp_seconds`). Snapshots with the same id: the latest
    /// version is shown.
    package static func render(
        snapshots: [StreamSnapshot],
        groupSavings: [(group: String, streamed: String, polled: String, savings: Double?)], shard: String,
        process: ProcessStats, wall: UTCTime, now: Moment, upload: UploadStatus? = nil
    ) -> String {
        let latest = Dictionary(snapshots.map { ($0.id, $0) }) { $0.version >= $1.version ? $0 : $1 }
        let streams = latest.values.sorted { $0.id < $1.id }
        var families = streamFamilies(streams, shard: shard, wall: wall, now: now)
        var savings = ExpositionWriter.Family(
            "streamtop_savings_ratio", .gauge,
            "Share of the polled stream's bytes per second that the streamed one of the same group did without.")
        for group in groupSavings.sorted(by: { $0.group < $1.group }) {
            guard let ratio = group.savings else { continue }
            let labels = ExpositionWriter.labels([
                ("group", group.group), ("streamed", group.streamed), ("polled", group.polled), ("shard", shard),
            ])
            savings.add(labels, ExpositionWriter.value(ratio))
        }
        families.append(savings)
        families += servedFamilies(streams, shard: shard)
        if let upload { families += uploadFamilies(upload, shard: shard) }
        families += processFamilies(process)
        return ExpositionWriter.text(families)
    }

    private static func streamFamilies(_ streams: [StreamSnapshot], shard: String, wall: UTCTime, now: Moment)
        -> [ExpositionWriter.Family] {
        typealias Family = ExpositionWriter.Family
        var up = Family(
            "streamtop_stream_up", .gauge, "1 while the stream is open (receiving, or polling on schedule).")
        var state = Family(
            "streamtop_stream_state", .gauge, "The stream's state: 1 for the current one, 0 for the others.")
        var events = Family(
            "streamtop_events_total", .counter, "Stream events the document accepted, by kind (poll responses apart).")
        var lastChange = Family(
            "streamtop_last_change_timestamp_seconds", .gauge, "When the stream's document last changed (Unix time).")
        let counters: [(Family, KeyPath<MetricsSnapshot, Int64>)] = [
            (Family("streamtop_wire_bytes_total", .counter, "Bytes received on the wire (compressed, with headers)."),
             \.wireBytes),
            (Family("streamtop_payload_bytes_total", .counter, "Bytes of event data and poll bodies."), \.payloadBytes),
            (Family("streamtop_patch_operations_total", .counter, "JSON Patch operations applied."), \.patchOperations),
            (Family("streamtop_polls_total", .counter, "Polls answered (with a body or 304 Not Modified)."), \.polls),
            (Family("streamtop_not_modified_total", .counter, "Polls answered 304 Not Modified."), \.notModified),
            (Family("streamtop_errors_total", .counter, "Failed connections, requests and bad data."), \.errors),
            (Family("streamtop_reconnects_total", .counter, "Reconnections after a close, a stall or an error."),
             \.reconnects),
            (Family("streamtop_changes_total", .counter, "Events or poll bodies that changed the document."),
             \.changes),
        ]
        var counterFamilies = counters.map(\.0)
        for stream in streams {
            let labels = ExpositionWriter.labels([
                ("stream", stream.id), ("mode", stream.mode.rawValue), ("group", stream.group ?? ""),
                ("shard", shard),
            ])
            let metrics = stream.metrics
            let current = stream.status.state.name
            up.add(labels, current == "open" ? "1" : "0")
            for name in stateNames + (stateNames.contains(current) ? [] : [current]) {
                state.add(labels + "," + ExpositionWriter.labels([("state", name)]), name == current ? "1" : "0")
            }
            // What is left of the events once snapshots, patches and poll bodies are counted.
            let text = metrics.events - metrics.snapshots - metrics.patches - (metrics.polls - metrics.notModified)
            for (kind, count) in [("snapshot", metrics.snapshots), ("patch", metrics.patches), ("text", max(0, text))] {
                events.add(labels + ",kind=\"\(kind)\"", ExpositionWriter.value(count))
            }
            for index in counters.indices {
                counterFamilies[index].add(labels, ExpositionWriter.value(metrics[keyPath: counters[index].1]))
            }
            if let changed = metrics.lastChangeAt {
                let seconds = wall.secondsSinceEpoch - (now - changed).seconds
                lastChange.add(labels, ExpositionWriter.value((seconds * 1000).rounded() / 1000))
            }
        }
        return [up, state, events, lastChange] + counterFamilies
    }

    /// The served streams (`"serve": true`): their clients, what they were sent, and what they
    /// would have fetched by polling.
    private static func servedFamilies(_ streams: [StreamSnapshot], shard: String) -> [ExpositionWriter.Family] {
        let figures: [(String, ExpositionWriter.Kind, String, KeyPath<ServedCounters, Int64>)] = [
            ("streamtop_served_clients", .gauge, "Clients connected to the served stream.", \.clientCount),
            ("streamtop_served_connections_total", .counter, "Clients that connected (resumptions included).",
             \.connections),
            ("streamtop_served_dropped_total", .counter, "Clients dropped: gone, or too slow to keep up.",
             \.dropped),
            ("streamtop_served_sent_bytes_total", .counter, "Bytes of events sent to the clients.", \.sentBytes),
            ("streamtop_served_poll_bytes_total", .counter,
             "Bytes the same clients would have fetched by polling at the stream's interval.", \.pollBytes),
        ]
        var families = figures.map { ExpositionWriter.Family($0.0, $0.1, $0.2) }
        for stream in streams {
            guard let served = stream.served else { continue }
            let labels = ExpositionWriter.labels([
                ("stream", stream.id), ("group", stream.group ?? ""), ("shard", shard),
            ])
            for index in figures.indices {
                families[index].add(labels, ExpositionWriter.value(served[keyPath: figures[index].3]))
            }
        }
        return families
    }

    /// The archive's uploads to S3: the backlog, what went, the failures.
    private static func uploadFamilies(_ upload: UploadStatus, shard: String) -> [ExpositionWriter.Family] {
        let labels = ExpositionWriter.labels([("shard", shard)])
        let figures: [(String, ExpositionWriter.Kind, String, Int)] = [
            ("streamtop_s3_waiting_segments", .gauge, "Closed archive segments not yet confirmed by S3.",
             upload.waitingSegments),
            ("streamtop_s3_waiting_bytes", .gauge, "Compressed bytes of the segments waiting.", upload.waitingBytes),
            ("streamtop_s3_uploaded_segments_total", .counter, "Archive segments S3 confirmed.",
             upload.uploadedSegments),
            ("streamtop_s3_uploaded_bytes_total", .counter, "Compressed bytes of the segments S3 confirmed.",
             upload.uploadedBytes),
            ("streamtop_s3_upload_failures_total", .counter, "Failed upload attempts (each retried).", upload.failures),
            ("streamtop_s3_upload_failing", .gauge, "1 while uploads fail (since the last success).",
             upload.lastError == nil ? 0 : 1),
        ]
        return figures.map { name, kind, help, value in
            var family = ExpositionWriter.Family(name, kind, help)
            family.add(labels, ExpositionWriter.value(Double(value)))
            return family
        }
    }

    private static func processFamilies(_ process: ProcessStats) -> [ExpositionWriter.Family] {
        typealias Family = ExpositionWriter.Family
        let figures: [(String, ExpositionWriter.Kind, String, Double?)] = [
            ("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.",
             process.residentBytes.map(Double.init)),
            ("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.",
             process.cpuSeconds),
            ("process_open_fds", .gauge, "Number of open file descriptors.", process.openFDs.map(Double.init)),
            ("process_max_fds", .gauge, "Maximum number of open file descriptors.", process.maxFDs.map(Double.init)),
            ("process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.",
             process.startTime),
        ]
        return figures.compactMap { name, kind, help, value in
            guard let value else { return nil }
            var family = Family(name, kind, help)
            family.add("", ExpositionWriter.value(value))
            return family
        }
    }
}
