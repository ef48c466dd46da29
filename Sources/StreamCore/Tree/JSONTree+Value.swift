// Building slots, and converting between a tree and `JSONValue` (off the hot path: the friendly
// API for the rest of the program).

extension JSONTree {
    /// A string or number slot for `text`: in the slot when it fits, else appended to `bytes`.
    @inline(__always)
    package mutating func makeScalar(_ kind: Kind, _ text: UnsafeBufferPointer<UInt8>) -> Slot {
        if text.count <= Slot.maxInline { return .inline(kind, bytes: JSONTree.load(text), count: text.count) }
        let offset = bytes.count
        bytes.append(contentsOf: text)
        return .outOfLine(kind, offset: offset, count: text.count)
    }

    package mutating func makeString(_ text: String) -> Slot {
        var text = text
        return text.withUTF8 { makeScalar(.string, $0) }
    }

    /// A tree holding `value`.
    public init(_ value: JSONValue) {
        self.init()
        root = append(value)
        liveWords = words.count
        liveBytes = bytes.count
    }

    /// Stores `value`'s containers and long scalars, and returns its slot.
    package mutating func append(_ value: JSONValue) -> Slot {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return makeNumber(n)
        case .string(let s): return makeString(s)
        case .array(let elements):
            guard !elements.isEmpty else { return .container(.array, offset: 0, count: 0, grown: false) }
            let base = words.count
            words.append(contentsOf: repeatElement(0, count: elements.count))
            for (i, element) in elements.enumerated() { words[base + i] = append(element).raw }
            return .container(.array, offset: base, count: elements.count, grown: false)
        case .object(let object):
            guard !object.isEmpty else { return .container(.object, offset: 0, count: 0, grown: false) }
            let base = words.count
            words.append(contentsOf: repeatElement(0, count: 2 * object.count))
            for (i, member) in object.members.enumerated() {
                words[base + 2 * i] = makeString(member.key).raw
                words[base + 2 * i + 1] = append(member.value).raw
            }
            return .container(.object, offset: base, count: object.count, grown: false)
        }
    }

    package mutating func makeNumber(_ number: JSONNumber) -> Slot {
        var text = number.text
        return text.withUTF8 { makeScalar(.number, $0) }
    }

    /// The document as a `JSONValue`.
    public var value: JSONValue { value(root) }

    /// The value a slot holds, as a `JSONValue`.
    package func value(_ slot: Slot) -> JSONValue {
        switch slot.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .number: return .number(withBytes(slot) { JSONTree.number($0) })
        case .string: return .string(string(slot))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(slot.count)
            for i in 0..<slot.count { elements.append(value(element(slot, i))) }
            return .array(elements)
        case .object:
            var object = JSONObject()
            object.reserveCapacity(slot.count)
            for i in 0..<slot.count { object.append(key: string(key(slot, i)), value: value(memberValue(slot, i))) }
            return .object(object)
        }
    }
}

extension JSONTree: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONWriter.string(self) }
}
