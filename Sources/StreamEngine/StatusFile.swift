#if canImport(Glibc)
import Glibc
#endif
import StreamCore

/// Why status.json could not be read: which file, and what is wrong with it.
public enum StatusFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(FileError)
    /// Not JSON (torn by hand, a disk that lost it).
    case invalid(path: String, JSONParseError)
    /// JSON, but not what `run` writes.
    case notStatus(path: String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path) does not exist"
        case .unreadable(let failure): return failure.description
        case .invalid(let path, let error): return "\(path) is not a valid status file: \(error)"
        case .notStatus(let path): return "\(path) is not a status file: it has no list of streams"
        }
    }
}

/// `status.json`: the latest snapshot of every stream, for scripts (`streamtop status`).
public enum StatusFile {
    package static func json(_ snapshot: StreamSnapshot) -> JSONValue {
        let metrics = snapshot.metrics
        var object: JSONObject = [
            "id": .string(snapshot.id), "name": .string(snapshot.name), "url": .string(snapshot.url),
            "mode": .string(snapshot.mode.rawValue), "state": .string(snapshot.status.state.name),
            "sinceSeconds": .number(JSONNumber((metrics.at - snapshot.status.since).seconds) ?? JSONNumber(0)),
            // How long the current incident has lasted (null while healthy): the first error
            // since the stream was last healthy, whatever its state now.
            "incidentSeconds": snapshot.status.incidentSince
                .map { .number(JSONNumber((metrics.at - $0).seconds) ?? JSONNumber(0)) } ?? .null,
            "lastError": snapshot.status.lastError.map { .string($0) } ?? .null,
            "storageError": snapshot.status.storageError.map { .string($0) } ?? .null,
            "wireBytes": .number(JSONNumber(Int(metrics.wireBytes))), "payloadBytes": .number(JSONNumber(Int(metrics.payloadBytes))),
            "events": .number(JSONNumber(Int(metrics.events))), "patches": .number(JSONNumber(Int(metrics.patches))),
            "polls": .number(JSONNumber(Int(metrics.polls))),
            "pollsSkipped": .number(JSONNumber(Int(metrics.pollsSkipped))),
            "errors": .number(JSONNumber(Int(metrics.errors))),
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
    package static func json(_ disk: DiskStatus) -> JSONValue {
        [
            "budget": .number(JSONNumber(disk.budget)), "used": .number(JSONNumber(disk.used)),
            "pruning": .bool(disk.pruning), "keptSince": disk.keptSince.map { .string($0.iso8601) } ?? .null,
            "removedFiles": .number(JSONNumber(disk.removedFiles)),
            "removedBytes": .number(JSONNumber(disk.removedBytes)),
        ]
    }

    /// Reads `status.json`; an error names the file and says why.
    public static func read(path: String) throws(StatusFileError) -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = try WholeFile.read(path: path, limit: 1 << 30)
        } catch {
            switch error {
            case .missing: throw .missing(path: path)
            case .failed(let operation, let code):
                throw .unreadable(FileError(path: path, operation: operation, code: code))
            case .tooLarge(let limit):
                throw .unreadable(FileError(path: path, operation: "read (over \(limit) bytes)", code: EFBIG))
            }
        }
        let status: JSONValue
        do {
            status = try JSONParser.parse(bytes)
        } catch {
            throw .invalid(path: path, error)
        }
        guard status["streams"]?.arrayValue != nil else { throw .notStatus(path: path) }
        return status
    }

    /// Atomic replace: a temporary file, then rename. With a `reserve`, the temporary file is
    /// opened with its descriptors when the streams have taken every other one.
    static func write(_ bytes: [UInt8], to path: String, reserve: DescriptorReserve? = nil) throws {
        let temporary = path + ".tmp-\(getpid())"
        let create = { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        let fd = reserve?.open(create) ?? create()
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        let close = { (fd: Int32) in if let reserve { reserve.close(fd) } else { Glibc.close(fd) } }
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
