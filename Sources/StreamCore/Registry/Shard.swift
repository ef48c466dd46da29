/// Which streams of a registry one engine runs when several share it (`run --shard K/N`): those
/// whose stable hash of id, modulo `count`, is `index`. N engines with shards 0/N … N-1/N run
/// every stream exactly once.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// More instances than anyone runs on one registry; a typo of a huge N is refused.
    public static let maxCount = 1024
    /// Every stream: an engine without `--shard`.
    public static let all = Shard(checkedIndex: 0, count: 1)

    private init(checkedIndex: Int, count: Int) {
        index = checkedIndex
        self.count = count
    }

    public init(index: Int, count: Int) throws(ShardError) {
        guard (1...Shard.maxCount).contains(count) else {
            throw ShardError("the number of shards must be from 1 to \(Shard.maxCount), not \(count)")
        }
        guard (0..<count).contains(index) else {
            throw ShardError("the shard must be from 0 to \(count - 1) (K counts from 0, below N), not \(index)")
        }
        self.init(checkedIndex: index, count: count)
    }

    /// `K/N`, e.g. `1/3`: the second of three.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        // Plain digits only: no sign, no spaces (Int("+1") would take a sign).
        let number = { (part: Substring) -> Int? in
            part.count <= 6 && part.allSatisfy { ("0"..."9").contains($0) } ? Int(part) : nil
        }
        guard parts.count == 2, let index = number(parts[0]), let count = number(parts[1]) else {
            throw ShardError("'\(text)' is not a shard: give K/N, e.g. 0/3 for the first of three")
        }
        try self.init(index: index, count: count)
    }

    /// Whether stream `id` is this shard's.
    public func contains(id: String) -> Bool {
        count == 1 || Int(Shard.stableHash(id) % UInt64(count)) == index
    }

    /// FNV-1a (64 bits) of the id's UTF-8 bytes. It must never change: instances of different
    /// versions sharing a registry, and the logs, archives and Prometheus series of each
    /// shard, rely on every stream staying on the shard it was on.
    public static func stableHash(_ id: String) -> UInt64 {
        id.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    /// `K/N`, as `--shard` takes it and the metrics' `shard` label shows it.
    public var description: String { "\(index)/\(count)" }
}

/// Why a shard could not be read, for a person.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
