/// The registered streams, in the order they were added; ids are unique.
public struct Registry: Sendable, Equatable {
    public private(set) var streams: [StreamSpec] = []
    /// Top-level members this streamtop does not know, kept through saves. They take no part
    /// in `==` (see `StreamSpec.unknownFields`).
    public var unknownFields = JSONObject()
    public static let formatVersion = 1

    public static func == (lhs: Registry, rhs: Registry) -> Bool {
        lhs.streams == rhs.streams
    }

    public init() {}

    public init(streams: [StreamSpec]) throws(RegistryError) {
        var ids: Set<String> = []
        for (index, spec) in streams.enumerated() {
            do { try add(spec, ids: &ids) } catch {
                throw RegistryError(location: "streams[\(index)]", reason: error.description)
            }
        }
    }

    /// `add` while building a registry from a list: the ids seen so far in a set, so that
    /// loading 20,000 streams is not 200 million comparisons.
    private mutating func add(_ spec: StreamSpec, ids: inout Set<String>) throws(SpecError) {
        try spec.validate()
        guard ids.insert(spec.id).inserted else {
            throw SpecError(field: "id", reason: "\"\(spec.id)\" is already registered")
        }
        streams.append(spec)
    }

    public func spec(id: String) -> StreamSpec? {
        streams.first { $0.id == id }
    }

    /// Adds a valid spec whose id is not taken.
    public mutating func add(_ spec: StreamSpec) throws(SpecError) {
        try spec.validate()
        guard self.spec(id: spec.id) == nil else { throw SpecError(field: "id", reason: "\"\(spec.id)\" is already registered") }
        streams.append(spec)
    }

    /// Replaces the spec with the same id. The fields this streamtop does not know are the
    /// registered spec's: nothing here can have changed them, and a spec edited from a copy
    /// loaded earlier may carry old ones.
    public mutating func update(_ spec: StreamSpec) throws(SpecError) {
        try spec.validate()
        guard let index = streams.firstIndex(where: { $0.id == spec.id }) else {
            throw SpecError(field: "id", reason: "no stream \"\(spec.id)\" is registered")
        }
        var updated = spec
        updated.unknownFields = streams[index].unknownFields
        if updated.notify != nil, let unknown = streams[index].notify?.unknownFields {
            updated.notify?.unknownFields = unknown
        }
        streams[index] = updated
    }

    @discardableResult
    public mutating func remove(id: String) -> StreamSpec? {
        guard let index = streams.firstIndex(where: { $0.id == id }) else { return nil }
        return streams.remove(at: index)
    }

    /// An id for a new stream called `name`: its slug, with `-2`, `-3`… when taken.
    public func newID(for name: String) -> String {
        let base = StreamSpec.slug(name)
        var candidate = base
        var suffix = 2
        while spec(id: candidate) != nil {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    public var json: JSONValue {
        var object: JSONObject = [
            "version": .number(JSONNumber(Registry.formatVersion)), "streams": .array(streams.map(\.json)),
        ]
        for member in unknownFields { object[member.key] = member.value }
        return .object(object)
    }

    public init(json: JSONValue) throws(RegistryError) {
        guard case .object(let object) = json else {
            throw RegistryError(
                location: nil, reason: "the registry must be a JSON object, not \(json.typeNameWithArticle)")
        }
        if let version = object["version"] {
            guard version.numberValue?.intValue == Registry.formatVersion else {
                throw RegistryError(location: "version", reason: "unsupported registry version \(JSONPatchText.excerpt(version)) (this streamtop reads version \(Registry.formatVersion))")
            }
        }
        guard let list = object["streams"] else { throw RegistryError(location: "streams", reason: "is missing") }
        guard case .array(let entries) = list else {
            throw RegistryError(location: "streams", reason: "must be an array, not \(list.typeNameWithArticle)")
        }
        var registry = Registry()
        var ids: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let label = entry["id"]?.stringValue.map { "streams[\(index)] (\"\(Sanitizer.line($0))\")" } ?? "streams[\(index)]"
            do {
                try registry.add(try StreamSpec(json: entry), ids: &ids)
            } catch {
                throw RegistryError(location: "\(label).\(error.field)", reason: error.reason)
            }
        }
        registry.unknownFields = object.unknown(besides: ["version", "streams"])
        self = registry
    }
}

/// Why a registry could not be read or written: the file, where in it, and what is wrong.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    /// `line:column` for syntax errors, or the field (`streams[2] ("quotes").interval`).
    public var location: String?
    public var reason: String

    public init(file: String? = nil, location: String?, reason: String) {
        self.file = file
        self.location = location
        self.reason = reason
    }

    public var description: String {
        let place = [file, location].compactMap { $0 }.joined(separator: ": ")
        return place.isEmpty ? reason : "\(place): \(reason)"
    }
}
