import StreamCore

/// Property tests are random but repeatable.
typealias SeededRandom = SplitMix64

/// Random JSON values for property tests: nested containers, keys needing `~0`/`~1`,
/// unicode (including astral and control characters) and numbers in every spelling.
struct JSONGenerator {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    static let keyPool = ["a", "b", "c", "id", "name", "price", "~", "/", "a/b", "m~n", "~1", "", " ", "é", "日本", "😀", "x\"y", "tab\t"]
    static let stringPool = ["", "plain", "with \"quotes\" and \\ backslash", "line\nbreak", "\u{1B}[31mred", "\u{0}", "ünïcödé", "日本語", "😀🎉", "\u{7F}\u{85}", "/slash/"]
    static let numberPool = ["0", "-0", "1", "-1", "1.5", "1e3", "1E-3", "12345678901234567890123", "0.000001", "-2.5e+10", "3.14159", "100"]

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }

    mutating func key() -> String {
        chance(80) ? JSONGenerator.keyPool[int(0..<JSONGenerator.keyPool.count)] : "k\(int(0..<50))"
    }

    mutating func scalar() -> JSONValue {
        switch int(0..<6) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .number(JSONNumber(JSONGenerator.numberPool[int(0..<JSONGenerator.numberPool.count)])!)
        case 3: return .number(JSONNumber(int(-1000..<1000)))
        default: return .string(JSONGenerator.stringPool[int(0..<JSONGenerator.stringPool.count)])
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        if depth >= 4 || chance(depth == 0 ? 10 : 35) { return scalar() }
        if chance(50) {
            return .array((0..<int(0..<7)).map { _ in value(depth: depth + 1) })
        }
        var object = JSONObject()
        for _ in 0..<int(0..<7) { object[key()] = value(depth: depth + 1) }
        return .object(object)
    }

    /// A random edit of `v`: the kind of change successive API snapshots show.
    mutating func mutate(_ v: JSONValue, depth: Int = 0) -> JSONValue {
        switch v {
        case .array(var elements):
            switch int(0..<6) {
            case 0: elements.insert(value(depth: depth + 1), at: int(0..<(elements.count + 1)))
            case 1 where !elements.isEmpty: elements.remove(at: int(0..<elements.count))
            case 2 where !elements.isEmpty:
                let i = int(0..<elements.count)
                elements[i] = mutate(elements[i], depth: depth + 1)
            case 3 where elements.count > 1:
                elements.swapAt(int(0..<elements.count), int(0..<elements.count))
            case 4: return chance(30) ? scalar() : .array(elements)
            default:
                for i in elements.indices where chance(30) { elements[i] = mutate(elements[i], depth: depth + 1) }
            }
            return .array(elements)
        case .object(var object):
            switch int(0..<5) {
            case 0: object[key()] = value(depth: depth + 1)
            case 1 where !object.isEmpty: object[object.keys[int(0..<object.count)]] = nil
            case 2: return chance(20) ? .array([v]) : .object(object)
            default:
                for k in object.keys where chance(40) { object[k] = mutate(object[k]!, depth: depth + 1) }
            }
            return .object(object)
        default:
            return chance(70) ? scalar() : value(depth: depth)
        }
    }
}

/// Splits bytes into random chunks (some empty, some a single byte).
func randomChunks(_ bytes: [UInt8], using random: inout SeededRandom) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let size = Int.random(in: 0...min(bytes.count - i, Int.random(in: 1...16, using: &random)), using: &random)
        chunks.append(Array(bytes[i..<(i + size)]))
        i += size
    }
    return chunks
}
