#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The registry on disk: a JSON file, written atomically (a temporary file in the same
/// directory, fsynced, renamed over the old one, the directory fsynced) with mode 0600, since
/// headers may hold credentials. A file that cannot be read as a registry is reported with its
/// name and the position of the problem, and is never overwritten: `save` refuses until a
/// person has fixed or moved it.
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
        let directory = RegistryFile.directory(of: path)
        _ = try? RegistryFile.makeDirectory(directory, file: path)
        let fd = open("\(directory)/.\(RegistryFile.fileName(of: path)).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
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
        let directory = RegistryFile.directory(of: path)
        try RegistryFile.makeDirectory(directory, file: path)
        // Unique per writer: two threads of one process may save at once.
        let temporary = "\(directory)/.\(RegistryFile.fileName(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
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
        guard rename(temporary, path) == 0 else {
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
