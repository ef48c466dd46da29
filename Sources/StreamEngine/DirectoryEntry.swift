#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a directory, with what `lstat` says of it (symbolic links are not followed).
struct DirectoryEntry {
    var name: String
    var isFile: Bool
    var isDirectory: Bool
    var bytes: Int
    var inode: ino_t
    /// When its data was last written, in seconds since the epoch.
    var modified: Double

    /// The entries of `directory` (none when it cannot be read), without `.` and `..`.
    static func list(_ directory: String) -> [DirectoryEntry] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != "." && name != ".." else { continue }
            var status = stat()
            guard lstat("\(directory)/\(name)", &status) == 0 else { continue }  // removed meanwhile
            let type = status.st_mode & S_IFMT
            entries.append(DirectoryEntry(
                name: name, isFile: type == S_IFREG, isDirectory: type == S_IFDIR, bytes: Int(status.st_size),
                inode: status.st_ino,
                modified: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1_000_000_000))
        }
        return entries
    }
}
