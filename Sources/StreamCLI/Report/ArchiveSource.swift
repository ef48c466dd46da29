#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore
import StreamEngine

/// One part of a stream's archive, as a source lists it.
struct ArchivePartReference: Sendable, Equatable {
    /// The part's file name (or object key's last component).
    var name: String
    /// Its UTC day, `2026-12-02`, when the source knows it: only for skipping whole days
    /// outside a period (nil: the part is read, and its records filtered by their time).
    var date: String?
}

/// Where archived streams are read from: the local state directory, or S3.
/// Parts are listed oldest first and read one at a time, so memory stays within one part.
protocol ArchiveSource {
    /// Where it reads from, for messages ("/home/me/.local/state/streamtop/archive").
    var location: String { get }
    /// The ids of the streams it holds, sorted.
    func streams() throws -> [String]
    /// The parts of a stream, oldest first.
    func parts(of stream: String) throws -> [ArchivePartReference]
    /// The records of one part; a torn last line or a line that is not JSON is a warning.
    func read(_ part: ArchivePartReference, of stream: String) throws -> JSONLinesReader.Result
}

/// The archive under `<state-dir>/archive/<stream>/`, as `StreamArchive` writes it (read
/// line by line: see `ArchiveLineSource`).
struct LocalArchiveSource: ArchiveSource {
    let root: String

    init(stateDirectory: String) {
        root = stateDirectory + "/archive"
    }

    var location: String { root }

    func streams() throws -> [String] {
        var entries: [String] = []
        guard let directory = opendir(root) else {
            if errno == ENOENT { return [] }
            throw FileError(path: root, operation: "list", code: errno)
        }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix("."), LocalArchiveSource.isDirectory("\(root)/\(name)") else { continue }
            entries.append(name)
        }
        return entries.sorted()
    }

    /// The files `ArchivePart` names (through `StreamArchive.files()`, which lists only those,
    /// in the order they were written). A part left uncompressed beside its whole compressed
    /// copy (compressed before a crash) is read once, compressed, as the disk keeper does.
    func parts(of stream: String) throws -> [ArchivePartReference] {
        let names = StreamArchive(root: root, stream: stream).files().map(\.name)
        let present = Set(names)
        return names.filter { !present.contains($0 + ".gz") }.map {
            ArchivePartReference(name: $0, date: ArchivePart(name: $0)?.date)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
