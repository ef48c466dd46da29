#if canImport(Glibc)
import Glibc
#endif
import StreamCore

/// `status.json`: the latest snapshot of every stream, for scripts (`streamtop status`).
public enum StatusFile {
    static func json(_ snapshot: StreamSnapshot) -> JSONValue {
        let metrics = snapshot.metrics
        var object: JSONObject = [
            "id": .string(snapshot.id), "name": .string(snapshot.name), "url": .string(snapshot.url),
            "mode": .string(snapshot.mode.rawValue), "state": .string(snapshot.status.state.name),
            "sinceSeconds": .number(JSONNumber((metrics.at - snapshot.status.since).seconds) ?? JSONNumber(0)),
            "lastError": snapshot.status.lastError.map { .string($0) } ?? .null,
            "storageError": snapshot.status.storageError.map { .string($0) } ?? .null,
            "wireBytes": .number(JSONNumber(Int(metrics.wireBytes))), "payloadBytes": .number(JSONNumber(Int(metrics.payloadBytes))),
            "events": .number(JSONNumber(Int(metrics.events))), "patches": .number(JSONNumber(Int(metrics.patches))),
            "polls": .number(JSONNumber(Int(metrics.polls))), "errors": .number(JSONNumber(Int(metrics.errors))),
            "reconnects": .number(JSONNumber(Int(metrics.reconnects))),
            "wireBytesPerSecond": .number(JSONNumber(metrics.wireBytesPerSecond.oneMinute) ?? JSONNumber(0)),
            "patchesPerMinute": .number(JSONNumber(metrics.patchesPerMinute.oneMinute) ?? JSONNumber(0)),
            "changeFrequency": metrics.changeFrequency.flatMap { JSONNumber($0) }.map { .number($0) } ?? .null,
            "changesPerHour": .number(JSONNumber(metrics.changesPerHour) ?? JSONNumber(0)),
        ]
        if let group = snapshot.group { object["group"] = .string(group) }
        if let savings = metrics.pollSavings { object["pollSavings"] = .number(JSONNumber(savings) ?? JSONNumber(0)) }
        return .object(object)
    }

    /// The state directory's disk use: `{"budget", "used", "pruning", "keptSince", "removedFiles",
    /// "removedBytes"}` (see `DiskStatus`).
    static func json(_ disk: DiskStatus) -> JSONValue {
        [
            "budget": .number(JSONNumber(disk.budget)), "used": .number(JSONNumber(disk.used)),
            "pruning": .bool(disk.pruning), "keptSince": disk.keptSince.map { .string($0.iso8601) } ?? .null,
            "removedFiles": .number(JSONNumber(disk.removedFiles)),
            "removedBytes": .number(JSONNumber(disk.removedBytes)),
        ]
    }

    /// Reads `status.json`.
    public static func read(path: String) throws -> JSONValue {
        let bytes = try readWholeFile(path)
        return try JSONParser.parse(bytes)
    }

    /// Atomic replace: a temporary file, then rename.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written <= 0 {
                let code = errno
                close(fd)
                unlink(temporary)
                throw FileError(path: temporary, operation: "write", code: code)
            }
            offset += written
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw FileError(path: path, operation: "replace", code: errno) }
    }
}
