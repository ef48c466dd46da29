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
    /// The file's text: its own `updatedAt`, then each stream's STATUS (see
    /// `StreamSnapshot.statusText`) on a line of its own, then the groups and the disk.
    package static func text(
        updatedAt: UTCTime, statuses: [StatusText], groups: JSONValue, disk: JSONValue?
    ) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 64 + statuses.reduce(0) { $0 + $1.bytes.count + 6 })
        writer.appendRaw("{\n  \"updatedAt\": ")
        writer.writeTime(updatedAt)
        writer.appendRaw(",\n  \"streams\": [")
        for (index, status) in statuses.enumerated() {
            writer.appendRaw(index == 0 ? "\n    " : ",\n    ")
            status.bytes.withUnsafeBufferPointer { writer.appendBytes($0) }
        }
        writer.appendRaw(statuses.isEmpty ? "],\n  \"groups\": " : "\n  ],\n  \"groups\": ")
        writer.write(groups)
        if let disk {
            writer.appendRaw(",\n  \"disk\": ")
            writer.write(disk)
        }
        writer.appendRaw("\n}\n")
        return writer.bytes
    }

    /// The state directory's disk use (see `DiskStatus.statusJSON`).
    package static func json(_ disk: DiskStatus) -> JSONValue { disk.statusJSON }

    /// `groups`: each group's streamed and polled stream and the share of bytes streaming saved
    /// (null until measured), from `Engine.groupSavings`.
    package static func groups(_ snapshots: [StreamSnapshot]) -> JSONValue {
        .array(Engine.groupSavings(snapshots).map { group in
            [
                "group": .string(group.group), "streamed": .string(group.streamed), "polled": .string(group.polled),
                "savings": group.savings.flatMap { JSONNumber($0) }.map { .number($0) } ?? .null,
            ]
        })
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
