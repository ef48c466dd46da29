import StreamCore
import StreamEngine

/// A JSON Patch written as text while its operations are found: the bytes that
/// `JSONWriter.data(JSONPatch(operations).json)` gives, without building an object and a
/// pointer for every operation first (with thousands of streams moving, that was as costly as
/// building their STATUS).
struct PatchText {
    private var writer = JSONWriter(reservingCapacity: 4096)
    private var empty = true

    init() {
        writer.appendRaw("[")
    }

    /// `{"op":"replace","path":…,"value":…}`; `path` is pointer text (tokens escaped).
    mutating func replace(path: String, value: JSONValue) {
        begin("replace")
        member(",\"path\":", .string(path))
        member(",\"value\":", value)
        writer.appendRaw("}")
    }

    /// `{"op":"replace","path":"/streams/N/LEAF","value":…}` with the value's text as it is in
    /// a STATUS (leaf paths need no escaping: their keys are plain ASCII names).
    mutating func replace(stream index: Int, leaf: Int, value: ArraySlice<UInt8>) {
        if !empty { writer.appendRaw(",") }
        empty = false
        writer.appendRaw("{\"op\":\"replace\",\"path\":\"/streams/")
        writer.writeInteger(index)
        PatchText.leafPaths[leaf].withUnsafeBufferPointer { writer.appendBytes($0) }
        writer.appendRaw("\",\"value\":")
        value.withUnsafeBufferPointer { writer.appendBytes($0) }
        writer.appendRaw("}")
    }

    private static let leafPaths: [[UInt8]] = StatusText.leafPaths.map { Array($0.utf8) }

    /// `operation` with its pointers under `prefix` (pointer text; "" for the root).
    mutating func append(_ operation: PatchOperation, under prefix: String) {
        begin(operation.name)
        switch operation {
        case .add(let path, let value), .replace(let path, let value), .test(let path, let value):
            member(",\"path\":", .string(prefix + path.description))
            member(",\"value\":", value)
        case .remove(let path):
            member(",\"path\":", .string(prefix + path.description))
        case .move(let from, let path), .copy(let from, let path):
            member(",\"from\":", .string(prefix + from.description))
            member(",\"path\":", .string(prefix + path.description))
        }
        writer.appendRaw("}")
    }

    /// The text, once every operation is in.
    mutating func finish() -> [UInt8] {
        writer.appendRaw("]")
        return writer.bytes
    }

    private mutating func begin(_ name: String) {
        writer.appendRaw(empty ? "{\"op\":" : ",{\"op\":")
        empty = false
        writer.write(.string(name))
    }

    private mutating func member(_ key: StaticString, _ value: JSONValue) {
        writer.appendRaw(key)
        writer.write(value)
    }
}
