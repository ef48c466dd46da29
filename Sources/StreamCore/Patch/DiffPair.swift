/// The two documents a diff compares, in one representation: how `JSONDiff` reads them.
///
/// "Old" reads the document diffed from, "new" the one diffed to; an equality or a key
/// comparison takes the old side first. A key kept on the path is one of the old document's.
protocol DiffPair {
    associatedtype Node
    associatedtype Array
    associatedtype Object
    associatedtype Key

    func shape(_ node: Node) -> DiffShape<Array, Object>
    func isObject(_ node: Node) -> Bool
    /// JSON equality of an old and a new value.
    func equal(_ old: Node, _ new: Node) -> Bool
    /// Hashes consistent with `equal`.
    func oldHash(_ node: Node) -> Int
    func newHash(_ node: Node) -> Int
    /// A new value, for an operation.
    func json(_ new: Node) -> JSONValue

    func elementCount(_ array: Array) -> Int
    func oldElement(_ array: Array, _ index: Int) -> Node
    func newElement(_ array: Array, _ index: Int) -> Node

    func memberCount(_ object: Object) -> Int
    func oldKey(_ object: Object, _ position: Int) -> Key
    func newKey(_ object: Object, _ position: Int) -> Key
    func oldMember(_ object: Object, _ position: Int) -> Node
    func newMember(_ object: Object, _ position: Int) -> Node
    func keysEqual(_ old: Key, _ new: Key) -> Bool
    func position(ofOld key: Key, inNew object: Object) -> Int?
    func position(ofNew key: Key, inOld object: Object) -> Int?
    func oldString(_ key: Key) -> String
    func newString(_ key: Key) -> String
}

enum DiffShape<Array, Object> {
    case array(Array)
    case object(Object)
    case scalar
}

/// Two `JSONValue`s.
struct ValuePair: DiffPair {
    func shape(_ node: JSONValue) -> DiffShape<[JSONValue], JSONObject> {
        switch node {
        case .array(let elements): return .array(elements)
        case .object(let object): return .object(object)
        default: return .scalar
        }
    }

    func isObject(_ node: JSONValue) -> Bool {
        if case .object = node { return true }
        return false
    }

    func equal(_ old: JSONValue, _ new: JSONValue) -> Bool { old == new }
    func oldHash(_ node: JSONValue) -> Int { node.hashValue }
    func newHash(_ node: JSONValue) -> Int { node.hashValue }
    func json(_ new: JSONValue) -> JSONValue { new }

    func elementCount(_ array: [JSONValue]) -> Int { array.count }
    func oldElement(_ array: [JSONValue], _ index: Int) -> JSONValue { array[index] }
    func newElement(_ array: [JSONValue], _ index: Int) -> JSONValue { array[index] }

    func memberCount(_ object: JSONObject) -> Int { object.count }
    func oldKey(_ object: JSONObject, _ position: Int) -> String { object.members[position].key }
    func newKey(_ object: JSONObject, _ position: Int) -> String { object.members[position].key }
    func oldMember(_ object: JSONObject, _ position: Int) -> JSONValue { object.members[position].value }
    func newMember(_ object: JSONObject, _ position: Int) -> JSONValue { object.members[position].value }
    func keysEqual(_ old: String, _ new: String) -> Bool { new.scalarsEqual(old) }
    func position(ofOld key: String, inNew object: JSONObject) -> Int? { object.position(of: key) }
    func position(ofNew key: String, inOld object: JSONObject) -> Int? { object.position(of: key) }
    func oldString(_ key: String) -> String { key }
    func newString(_ key: String) -> String { key }
}

/// Two trees' slots.
struct TreePair: DiffPair {
    typealias Slot = JSONTree.Slot

    let old: JSONTree
    let new: JSONTree

    func shape(_ node: Slot) -> DiffShape<Slot, Slot> {
        switch node.kind {
        case .array: return .array(node)
        case .object: return .object(node)
        default: return .scalar
        }
    }

    func isObject(_ node: Slot) -> Bool { node.kind == .object }
    func equal(_ a: Slot, _ b: Slot) -> Bool { JSONTree.equal(a, in: old, b, in: new) }
    func oldHash(_ node: Slot) -> Int { TreePair.hash(node, in: old) }
    func newHash(_ node: Slot) -> Int { TreePair.hash(node, in: new) }
    func json(_ node: Slot) -> JSONValue { new.value(node) }

    static func hash(_ node: Slot, in tree: JSONTree) -> Int {
        var hasher = Hasher()
        tree.hash(node, into: &hasher)
        return hasher.finalize()
    }

    func elementCount(_ array: Slot) -> Int { array.count }
    func oldElement(_ array: Slot, _ index: Int) -> Slot { old.element(array, index) }
    func newElement(_ array: Slot, _ index: Int) -> Slot { new.element(array, index) }

    func memberCount(_ object: Slot) -> Int { object.count }
    func oldKey(_ object: Slot, _ position: Int) -> Slot { old.key(object, position) }
    func newKey(_ object: Slot, _ position: Int) -> Slot { new.key(object, position) }
    func oldMember(_ object: Slot, _ position: Int) -> Slot { old.memberValue(object, position) }
    func newMember(_ object: Slot, _ position: Int) -> Slot { new.memberValue(object, position) }
    func keysEqual(_ a: Slot, _ b: Slot) -> Bool { old.keysEqual(a, b, in: new) }

    func position(ofOld key: Slot, inNew object: Slot) -> Int? {
        old.withBytes(key) { new.position(of: $0, in: object) }
    }

    func position(ofNew key: Slot, inOld object: Slot) -> Int? {
        new.withBytes(key) { old.position(of: $0, in: object) }
    }

    func oldString(_ key: Slot) -> String { old.string(key) }
    func newString(_ key: Slot) -> String { new.string(key) }
}
