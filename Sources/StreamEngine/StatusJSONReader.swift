import StreamCore

/// Reads the fields of one JSON object, each error naming the field by its path.
struct StatusJSONReader {
    let object: JSONObject
    /// The path of this object, with a trailing dot (empty at the top).
    let prefix: String
    /// Places the object's wall-clock times (`moment(_:)`).
    let wall: WallTime

    init(_ value: JSONValue, path: String = "", wall: WallTime = WallTime(offset: 0)) throws(StatusJSONError) {
        guard case .object(let object) = value else {
            let field = path.isEmpty ? "(status)" : path
            throw StatusJSONError(field: field, .wrongType(expected: "an object", found: StatusJSONReader.kind(value)))
        }
        self.object = object
        prefix = path.isEmpty ? "" : path + "."
        self.wall = wall
    }

    private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> StatusJSONError {
        StatusJSONError(field: prefix + key, .wrongType(expected: expected, found: StatusJSONReader.kind(value)))
    }

    /// "a string", "an array", "null".
    static func kind(_ value: JSONValue) -> String {
        let name = value.typeName
        if value == .null { return name }
        return (["a", "e", "i", "o", "u"].contains(name.first) ? "an " : "a ") + name
    }

    /// The field's value; nil when it is null or absent (optional fields).
    func optional(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func required(_ key: String) throws(StatusJSONError) -> JSONValue {
        guard let value = object[key] else { throw StatusJSONError(field: prefix + key, .missing) }
        return value
    }

    func string(_ key: String) throws(StatusJSONError) -> String {
        let value = try required(key)
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    func optionalString(_ key: String) throws(StatusJSONError) -> String? {
        guard let value = optional(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string or null", value) }
        return text
    }

    func bool(_ key: String) throws(StatusJSONError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else { throw wrongType(key, "true or false", value) }
        return flag
    }

    func double(_ key: String) throws(StatusJSONError) -> Double {
        let value = try required(key)
        guard case .number(let number) = value else { throw wrongType(key, "a number", value) }
        return number.doubleValue
    }

    func optionalDouble(_ key: String) throws(StatusJSONError) -> Double? {
        guard let value = optional(key) else { return nil }
        guard case .number(let number) = value else { throw wrongType(key, "a number or null", value) }
        return number.doubleValue
    }

    func int(_ key: String) throws(StatusJSONError) -> Int {
        let value = try required(key)
        return try integer(key, value)
    }

    func int64(_ key: String) throws(StatusJSONError) -> Int64 { Int64(try int(key)) }

    func optionalInt(_ key: String) throws(StatusJSONError) -> Int? {
        guard let value = optional(key) else { return nil }
        return try integer(key, value)
    }

    private func integer(_ key: String, _ value: JSONValue) throws(StatusJSONError) -> Int {
        guard case .number(let number) = value else { throw wrongType(key, "an integer", value) }
        guard let integer = number.intValue else {
            throw StatusJSONError(field: prefix + key, .invalid("must be an integer, not \(number.text)"))
        }
        return integer
    }

    /// Wall-clock seconds since the epoch, as a moment of the receiver's clock.
    func moment(_ key: String) throws(StatusJSONError) -> Moment {
        try place(key, try double(key))
    }

    func optionalMoment(_ key: String) throws(StatusJSONError) -> Moment? {
        guard let seconds = try optionalDouble(key) else { return nil }
        return try place(key, seconds)
    }

    private func place(_ key: String, _ seconds: Double) throws(StatusJSONError) -> Moment {
        guard let moment = wall.moment(seconds) else {
            throw StatusJSONError(field: prefix + key, .invalid("is out of range: \(seconds) seconds since the epoch"))
        }
        return moment
    }

    /// A nested object's reader.
    func object(_ key: String) throws(StatusJSONError) -> StatusJSONReader {
        try StatusJSONReader(try required(key), path: prefix + key, wall: wall)
    }
}
