// StreamSpec <-> JSON, with errors that name the field.

extension StreamSpec {
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["name"] = .string(name)
        object["url"] = .string(url)
        object["mode"] = .string(mode.rawValue)
        object["interval"] = .number(JSONNumber(interval))
        object["headers"] = .object(JSONObject(headers.map { ($0.name, JSONValue.string($0.value)) }))
        if let group { object["group"] = .string(group) }
        if let notify { object["notify"] = notify.json }
        object["autostart"] = .bool(autostart)
        object["stall"] = .number(JSONNumber(stall))
        object["compress"] = .bool(compress)
        if let caFile { object["caFile"] = .string(caFile) }
        object["maxRetry"] = .number(JSONNumber(maxRetry))
        if serve { object["serve"] = .bool(true) }
        for member in unknownFields { object[member.key] = member.value }
        return .object(object)
    }

    static let knownFields: Set<String> = [
        "id", "name", "url", "mode", "interval", "headers", "group", "notify", "autostart", "stall", "compress",
        "caFile", "maxRetry", "serve",
    ]

    /// Reads a spec; missing optional fields take their defaults, unknown fields are kept
    /// aside (a newer streamtop may add some), and a wrong type or value is an error naming
    /// the field.
    public init(json: JSONValue) throws(SpecError) {
        guard case .object(let object) = json else {
            throw SpecError(field: "stream", reason: "must be an object, not \(json.typeNameWithArticle)")
        }
        var reader = FieldReader(object: object, prefix: "")
        var spec = StreamSpec(
            id: try reader.string("id"), name: try reader.string("name"), url: try reader.string("url"),
            mode: try reader.enumeration("mode", default: .sse),
            interval: try reader.integer("interval", default: StreamSpec.defaultInterval),
            headers: try reader.headers("headers"),
            group: try reader.optionalString("group"),
            notify: try object["notify"].map { (value) throws(SpecError) in try NotifySpec(json: value) },
            autostart: try reader.boolean("autostart", default: false),
            stall: try reader.integer("stall", default: StreamSpec.defaultStall),
            compress: try reader.boolean("compress", default: true),
            caFile: try reader.optionalString("caFile"),
            maxRetry: try reader.integer("maxRetry", default: StreamSpec.defaultMaxRetry),
            serve: try reader.boolean("serve", default: false))
        spec.unknownFields = object.unknown(besides: StreamSpec.knownFields)
        try spec.validate()
        self = spec
    }
}

extension NotifySpec {
    var json: JSONValue {
        var object = JSONObject()
        if let command { object["command"] = .array(command.map { .string($0) }) }
        if let webhook { object["webhook"] = .string(webhook) }
        object["webhookFormat"] = .string(webhookFormat.rawValue)
        object["after"] = .number(JSONNumber(after))
        if let `repeat` { object["repeat"] = .number(JSONNumber(`repeat`)) }
        for member in unknownFields { object[member.key] = member.value }
        return .object(object)
    }

    static let knownFields: Set<String> = ["command", "webhook", "webhookFormat", "after", "repeat"]

    init(json: JSONValue) throws(SpecError) {
        guard case .object(let object) = json else {
            throw SpecError(field: "notify", reason: "must be an object, not \(json.typeNameWithArticle)")
        }
        var reader = FieldReader(object: object, prefix: "notify.")
        self.init(
            command: try reader.optionalStrings("command"), webhook: try reader.optionalString("webhook"),
            webhookFormat: try reader.enumeration("webhookFormat", default: .slack),
            after: try reader.integer("after", default: NotifySpec.defaultAfter),
            repeat: try reader.optionalInteger("repeat"))
        unknownFields = object.unknown(besides: NotifySpec.knownFields)
    }
}

extension JSONObject {
    /// The members whose keys are not in `known`, in order.
    func unknown(besides known: Set<String>) -> JSONObject {
        JSONObject(filter { !known.contains($0.key) }.map { ($0.key, $0.value) })
    }
}

/// Typed access to an object's members, with errors that name the member.
private struct FieldReader {
    let object: JSONObject
    let prefix: String

    func fail(_ field: String, _ reason: String) -> SpecError {
        SpecError(field: prefix + field, reason: reason)
    }

    func string(_ field: String) throws(SpecError) -> String {
        guard let value = object[field] else { throw fail(field, "is missing") }
        guard case .string(let text) = value else {
            throw fail(field, "must be a string, not \(value.typeNameWithArticle)")
        }
        return text
    }

    func optionalString(_ field: String) throws(SpecError) -> String? {
        guard let value = object[field], value != .null else { return nil }
        guard case .string(let text) = value else {
            throw fail(field, "must be a string, not \(value.typeNameWithArticle)")
        }
        return text
    }

    func optionalStrings(_ field: String) throws(SpecError) -> [String]? {
        guard let value = object[field], value != .null else { return nil }
        guard case .array(let elements) = value else {
            throw fail(field, "must be an array of strings, not \(value.typeNameWithArticle)")
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw fail(field, "must be an array of strings") }
            strings.append(text)
        }
        return strings
    }

    func integer(_ field: String, default defaultValue: Int) throws(SpecError) -> Int {
        try optionalInteger(field) ?? defaultValue
    }

    func optionalInteger(_ field: String) throws(SpecError) -> Int? {
        guard let value = object[field], value != .null else { return nil }
        guard case .number(let number) = value, let integer = number.intValue else {
            throw fail(field, "must be a whole number of seconds, not \(JSONPatchText.excerpt(value))")
        }
        return integer
    }

    func boolean(_ field: String, default defaultValue: Bool) throws(SpecError) -> Bool {
        guard let value = object[field], value != .null else { return defaultValue }
        guard case .bool(let flag) = value else { throw fail(field, "must be true or false, not \(JSONPatchText.excerpt(value))") }
        return flag
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ field: String, default defaultValue: E) throws(SpecError) -> E where E.RawValue == String {
        guard let text = try optionalString(field) else { return defaultValue }
        guard let value = E(rawValue: text) else {
            throw fail(field, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(Sanitizer.line(text))\"")
        }
        return value
    }

    func headers(_ field: String) throws(SpecError) -> [(name: String, value: String)] {
        guard let value = object[field], value != .null else { return [] }
        guard case .object(let members) = value else { throw fail(field, "must be an object of name: value strings") }
        var headers: [(name: String, value: String)] = []
        for member in members {
            guard case .string(let text) = member.value else { throw fail("\(field).\(member.key)", "must be a string") }
            headers.append((member.key, text))
        }
        return headers
    }
}
