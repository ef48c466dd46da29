#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The registry on disk: a JSON file, written atomically (a temporary file in the same
/// directory, fsynced, renamed over the old one, the directory fsynced) with mode 0600, since
/// headers may hold credentials. A file that cannot be read as a registry is reported with its
/// name and the position of the problem, and is never overwritten: `save` refuses until a
/// person has fixed or moved it. A symbolic link is written through: the file it points to is
/// replaced, and the link stays. Temporary files a killed writer left (they hold the
/// credentials too) are removed by the next save.
public struct RegistryFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The registry in the file; an empty one when the file does not exist yet.
    public func load() throws(RegistryError) -> Registry {
        guard let bytes = try readFile() else { return Registry() }
        let json: JSONValue
        do {
            // A key given twice would silently lose one of its values (a second "streams"
            // list would empty the registry, and the next save make that final).
            json = try JSONParser.parse(bytes, options: JSONParser.Options(duplicateKeys: .reject))
        } catch {
            let location = RegistryFile.lineAndColumn(of: error.offset, in: bytes)
            if case .duplicateKey = error.reason {
                let reason = "\(error.reasonText): each key may appear only once in an object"
                throw RegistryError(file: path, location: location, reason: reason)
            }
            throw RegistryError(file: path, location: location, reason: "invalid JSON: \(error.reasonText)")
        }
        do {
            return try Registry(json: json)
        } catch {
            throw RegistryError(file: path, location: error.location, reason: error.reason)
        }
    }

    /// Writes the registry. Refuses when the file on disk exists but is not a valid registry.
    public func save(_ registry: Registry) throws(RegistryError) {
        do {
            _ = try load()
        } catch {
            throw RegistryError(file: path, location: nil, reason: "not overwriting an invalid registry (\(error.location.map { "\($0): " } ?? "")\(error.reason)); fix or move the file")
        }
        var text = JSONWriter.data(registry.json, pretty: true)
        text.append(0x0A)
        try writeAtomically(text)
    }

    /// Loads the registry, lets `body` change it, and saves it: one change a person made
    /// (from the monitor or a command), with streams added meanwhile by others kept. A change
    /// the registry refuses (a duplicate id, a bad value) saves nothing.
    public func change(_ body: (inout Registry) throws(SpecError) -> Void) throws(RegistryError) {
        try whileLocked { () throws(RegistryError) in
            var registry = try load()
            do throws(SpecError) {
                try body(&registry)
            } catch {
                throw RegistryError(file: path, location: nil, reason: error.description)
            }
            try save(registry)
        }
    }

    /// Runs `body` (a load, a change and a save) holding an exclusive lock on
    /// `.<file>.lock` beside the registry, so that several processes (a running monitor,
    /// `streamtop add` from a script) take turns instead of one losing the other's change.
    /// The registry itself cannot carry the lock: each save replaces it with a new file. When
    /// the lock cannot be taken (a read-only directory), `body` runs anyway; its save would
    /// fail there too.
    public func whileLocked<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        // Beside the file saves replace, so that writers naming it through a link or directly
        // take turns all the same.
        let target = target
        let directory = RegistryFile.directory(of: target)
        _ = try? RegistryFile.makeDirectory(directory, file: path)
        let fd = open("\(directory)/.\(RegistryFile.fileName(of: target)).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        defer { if fd >= 0 { close(fd) } }  // closing releases the lock
        if fd >= 0 {
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        return try body()
    }

    /// Remembers whether stream `id` should run when streamtop starts (its `autostart`), so
    /// that streams a person started or stopped come back the same way. Reloads the file
    /// first, so streams added meanwhile by another `streamtop add` are kept; a stream no
    /// longer registered is left alone.
    public func setAutostart(id: String, _ autostart: Bool) throws(RegistryError) {
        try whileLocked { () throws(RegistryError) in
            var registry = try load()
            guard var spec = registry.spec(id: id), spec.autostart != autostart else { return }
            spec.autostart = autostart
            do throws(SpecError) {
                try registry.update(spec)
            } catch {
                throw RegistryError(file: path, location: "stream \"\(id)\"", reason: error.description)
            }
            try save(registry)
        }
    }

    private func readFile() throws(RegistryError) -> [UInt8]? {
        do {
            return try WholeFile.read(path: path, limit: 64 << 20)
        } catch {
            switch error {
            case .missing:
                return nil
            case .failed(_, let code):
                throw RegistryError(file: path, location: nil, reason: "cannot read: \(String(cString: strerror(code)))")
            case .tooLarge:
                throw RegistryError(file: path, location: nil, reason: "larger than 64 MiB; not a registry")
            }
        }
    }

    private func writeAtomically(_ bytes: [UInt8]) throws(RegistryError) {
        func failure(_ what: String) -> RegistryError {
            RegistryError(file: path, location: nil, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let target = target
        let directory = RegistryFile.directory(of: target)
        try RegistryFile.makeDirectory(directory, file: path)
        RegistryFile.removeStaleTemporaries(of: target)
        // Unique per writer: two threads of one process may save at once.
        let temporary = RegistryFile.temporaryPrefix(of: target) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var written = 0
        var failed: RegistryError?
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let count = write(fd, raw.baseAddress! + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failed = failure("cannot write \(temporary)")
                    return
                }
                written += count
            }
        }
        if failed == nil && fchmod(fd, 0o600) != 0 { failed = failure("cannot set the mode of \(temporary)") }
        if failed == nil && fsync(fd) != 0 { failed = failure("cannot flush \(temporary)") }
        close(fd)
        if let failed {
            unlink(temporary)
            throw failed
        }
        guard rename(temporary, target) == 0 else {
            let error = failure("cannot replace the registry")
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The file saves replace: `path`, or the file its symbolic link points to (through up to
    /// 40 links; relative ones from the link's directory). Replacing the link itself with a
    /// file would quietly part it from the file it shared (a dotfiles repository, say).
    var target: String {
        var current = path
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        for _ in 0..<40 {
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { break }  // not a link (or missing): this is the file
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : "\(RegistryFile.directory(of: current))/\(link)"
        }
        return current
    }

    /// Temporary files of `target` are `.<name>.tmp-<pid>-<random>` beside it.
    static func temporaryPrefix(of target: String) -> String {
        "\(directory(of: target))/.\(fileName(of: target)).tmp-"
    }

    /// Removes the temporary files beside `target` whose writer is gone (killed mid-save):
    /// they hold a registry, credentials and all. A live process's file is left alone.
    static func removeStaleTemporaries(of target: String) {
        let directory = directory(of: target)
        let prefix = ".\(fileName(of: target)).tmp-"
        guard let stream = opendir(directory) else { return }
        var stale: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix) else { continue }
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { stale.append(name) }
        }
        closedir(stream)
        for name in stale { unlink("\(directory)/\(name)") }
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func fileName(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// Creates the directory and its parents (mode 0700) when missing.
    static func makeDirectory(_ directory: String, file: String) throws(RegistryError) {
        var partial = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw RegistryError(file: file, location: nil, reason: "cannot create \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// `line:column` (1-based) of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> String {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return "\(line):\(offset - lineStart + 1)"
    }
}
