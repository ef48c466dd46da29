/// A JSON object: members in the order they were written, with unique keys. Keys are told
/// apart by their Unicode scalars, as all JSON strings are (see `String.scalarsEqual`).
///
/// Order is kept so that output looks like its input; equality ignores it, as RFC 8259 objects
/// are unordered. Small objects are searched linearly (faster than hashing for a handful of
/// keys); objects above `indexThreshold` members also keep a key → position index.
///
/// Duplicate keys: when a key is set again, the new value replaces the old one **in the old
/// position** (ECMAScript `JSON.parse` behaves the same way). The parser can instead reject
/// duplicates (`JSONParser.Options.duplicateKeys`).
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.key.scalarsEqual(rhs.key) && lhs.value == rhs.value
        }

        public func hash(into hasher: inout Hasher) {
            key.hashScalars(into: &hasher)
            hasher.combine(value)
        }
    }

    public private(set) var members: [Member]
    private var index: [JSONKey: Int]?

    static let indexThreshold = 16

    public init() {
        members = []
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// Wraps members whose keys are known to be unique (the parser's path).
    init(uniqueMembers: [Member]) {
        members = uniqueMembers
        if members.count > JSONObject.indexThreshold { buildIndex() }
    }

    /// Wraps members whose keys are known to be unique with their index, built by the parser
    /// (key → position, present exactly when there are more than `indexThreshold` members).
    init(uniqueMembers: [Member], index: [JSONKey: Int]?) {
        members = uniqueMembers
        self.index = index
    }

    /// Creates an object from pairs in order; a repeated key replaces the earlier value in place.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSONValue) {
        // Built in one array without the subscript's bookkeeping: engines write a small
        // literal object for every event they log.
        var members: [Member] = []
        members.reserveCapacity(pairs.underestimatedCount)
        for (key, value) in pairs {
            if let i = JSONObject.position(of: key, in: members) {
                members[i].value = value
            } else {
                members.append(Member(key: key, value: value))
            }
        }
        self.init(uniqueMembers: members)
    }

    /// Replaces the value of the member at `position`, keeping its key (a caller that knows
    /// where a key is, without looking it up).
    package mutating func setValue(_ value: JSONValue, atPosition position: Int) {
        members[position].value = value
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// The position of `key`, or nil.
    public func position(of key: String) -> Int? {
        if let index { return index[JSONKey(key)] }
        return JSONObject.position(of: key, in: members)
    }

    /// The position of `key` in `members`, searched linearly. Comparing lengths first is cheap
    /// (no call to compare the bytes) and rules out most other keys. Through a buffer pointer,
    /// reading a member's key does not copy the member (whose value would be retained and
    /// released on every comparison).
    private static func position(of key: String, in members: [Member]) -> Int? {
        let length = key.utf8.count
        return members.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i].key.utf8.count == length && buffer[i].key.scalarsEqual(key) {
                return i
            }
            return nil
        }
    }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let newValue {
                if let i = position(of: key) {
                    members[i].value = newValue
                } else {
                    append(key: key, value: newValue)
                }
            } else if let i = position(of: key) {
                remove(at: i)
            }
        }
    }

    /// Direct access to a member's value by position, for in-place mutation.
    public subscript(position position: Int) -> JSONValue {
        get { members[position].value }
        _modify { yield &members[position].value }
        set { members[position].value = newValue }
    }

    /// Appends a key known not to be present.
    mutating func append(key: String, value: JSONValue) {
        members.append(Member(key: key, value: value))
        if index != nil {
            index![JSONKey(key)] = members.count - 1
        } else if members.count > JSONObject.indexThreshold {
            buildIndex()
        }
    }

    /// Inserts a key known not to be present at `position` (used to undo a removal exactly).
    mutating func insert(key: String, value: JSONValue, at position: Int) {
        members.insert(Member(key: key, value: value), at: position)
        if index != nil || members.count > JSONObject.indexThreshold { buildIndex() }
    }

    @discardableResult
    mutating func remove(at position: Int) -> Member {
        let removed = members.remove(at: position)
        if index != nil {
            if members.count > JSONObject.indexThreshold {
                index![JSONKey(removed.key)] = nil
                for i in position..<members.count { index![JSONKey(members[i].key)] = i }
            } else {
                index = nil
            }
        }
        return removed
    }

    mutating func reserveCapacity(_ n: Int) { members.reserveCapacity(n) }

    private mutating func buildIndex() {
        var built = [JSONKey: Int](minimumCapacity: members.count * 2)
        for (i, member) in members.enumerated() { built[JSONKey(member.key)] = i }
        index = built
    }

    // MARK: Equality: unordered

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        return lhs.members.withUnsafeBufferPointer { left in
            rhs.members.withUnsafeBufferPointer { right in
                for i in left.indices {
                    // Same order is the common case: check the same position before searching.
                    if right[i].key.scalarsEqual(left[i].key) {
                        if right[i].value != left[i].value { return false }
                    } else {
                        guard let position = rhs.position(of: left[i].key), right[position].value == left[i].value else { return false }
                    }
                }
                return true
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-member hashes commutatively.
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            member.key.hashScalars(into: &memberHasher)
            memberHasher.combine(member.value)
            combined = combined &+ memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}
