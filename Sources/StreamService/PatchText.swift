import StreamCore
import StreamEngine

/// A JSON Patch written as text while its operations are found: the bytes that
/// `JSONWriter.data(JSONPatch(operations).json)` gives, without building an object and a
/// pointer for every operation first (with thousands of streams moving, that was as costly as
/// building their STATUS).
struct PatchText {
    private var writer: JSONWriter
    private var empty = true
    /// Written as the data of one SSE event (`SSEFrame`): the frame's head is in `writer`
    /// before the `[`, and `finish` ends the event.
    private let framed: Bool

    /// `capacity`: the bytes to reserve (the last patch's size spares growing a patch of a
    /// few megabytes by doubling, copying it each time).
    init(reservingCapacity capacity: Int = 4096) {
        writer = JSONWriter(reservingCapacity: capacity)
        framed = false
        writer.appendRaw("[")
    }

    /// The patch as an SSE event `event` with `id`: the bytes of `SSEFrame.event(event, id:
    /// data:)` for the patch's text, written in place (compact JSON text has no line breaks,
    /// so the data is one `data:` line).
    init(event: StaticString, id: Int, reservingCapacity capacity: Int) {
        writer = JSONWriter(reservingCapacity: capacity)
        framed = true
        writer.appendRaw("id: ")
        writer.writeInteger(id)
        writer.appendRaw("\nevent: ")
        writer.appendRaw(event)
        writer.appendRaw("\ndata: [")
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
    mutating func replace(stream index: Int, leaf: Int, value: UnsafeBufferPointer<UInt8>) {
        if !empty { writer.appendRaw(",") }
        empty = false
        writer.appendRaw("{\"op\":\"replace\",\"path\":\"/streams/")
        writer.writeInteger(index)
        // `"/LEAF","value":` for each leaf, in one buffer: one append, no array per leaf.
        PatchText.leafMiddles.withUnsafeBufferPointer { all in
            let (start, end) = (PatchText.leafMiddleBounds[leaf], PatchText.leafMiddleBounds[leaf + 1])
            writer.appendBytes(UnsafeBufferPointer(rebasing: all[start..<end]))
        }
        writer.appendBytes(value)
        writer.appendRaw("}")
    }

    /// Each leaf's path and what follows it up to its value, one after another.
    private static let leafMiddles: [UInt8] = StatusText.leafPaths.flatMap { Array("\($0)\",\"value\":".utf8) }
    /// Where each leaf's piece of `leafMiddles` starts (and, last, where the last one ends).
    private static let leafMiddleBounds: [Int] = StatusText.leafPaths.reduce(into: [0]) { bounds, path in
        bounds.append(bounds.last! + Array("\(path)\",\"value\":".utf8).count)
    }

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
        writer.appendRaw(framed ? "]\n\n" : "]")
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
