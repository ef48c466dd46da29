import XCTest
@testable import StreamCore

/// `--shard K/N`: which streams an instance runs.
final class ShardTests: XCTestCase {
    func testTheHashIsFNV1a64AndNeverChanges() {
        // FNV-1a test vectors, and ids pinned: instances of different versions share a registry.
        XCTAssertEqual(Shard.stableHash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(Shard.stableHash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(Shard.stableHash("foobar"), 0x8594_4171_f739_67e8)
        XCTAssertEqual(Shard.stableHash("quotes"), 0xc290_2960_9249_824c)
        XCTAssertTrue(try Shard(parsing: "0/3").contains(id: "quotes"))
        XCTAssertEqual(Shard.stableHash("é"), Shard.stableHash("\u{E9}"), "by UTF-8 bytes")
    }

    func testShardsOfEveryCountPartitionTheRegistryExactly() throws {
        let ids = (0..<3_000).map { "stream-\($0)" } + ["quotes", "quotes-polled", "é", ""]
        for count in [1, 2, 3, 7, 16, 1024] {
            let shards = try (0..<count).map { try Shard(index: $0, count: count) }
            var sizes = Array(repeating: 0, count: count)
            // Every id against every shard: fewer ids for the largest count (a debug build is slow).
            let checked = count > 16 ? Array(ids.suffix(300)) : ids
            for id in checked {
                let owners = shards.filter { $0.contains(id: id) }
                XCTAssertEqual(owners.count, 1, "\(id) in \(owners) of \(count)")
                sizes[owners.first?.index ?? 0] += 1
            }
            XCTAssertEqual(sizes.reduce(0, +), checked.count)
            if count <= 16 {
                // Spread evenly enough that N instances share the work.
                let fair = ids.count / count
                XCTAssertTrue(sizes.allSatisfy { abs($0 - fair) < fair / 4 + 5 }, "\(count): \(sizes)")
            }
        }
        XCTAssertTrue(ids.allSatisfy { Shard.all.contains(id: $0) })
    }

    func testParsingSaysWhatIsWrong() throws {
        XCTAssertEqual(try Shard(parsing: "1/3"), try Shard(index: 1, count: 3))
        XCTAssertEqual(try Shard(parsing: "0/1"), .all)
        XCTAssertEqual(try Shard(parsing: "1023/1024").description, "1023/1024")
        let notAShard = { (text: String) in "'\(text)' is not a shard: give K/N, e.g. 0/3 for the first of three" }
        for (text, reason) in [
            ("3/3", "the shard must be from 0 to 2 (K counts from 0, below N), not 3"),
            ("0/0", "the number of shards must be from 1 to 1024, not 0"),
            ("0/1025", "the number of shards must be from 1 to 1024, not 1025"),
            ("1", notAShard("1")), ("1:3", notAShard("1:3")), ("-1/3", notAShard("-1/3")), ("+1/3", notAShard("+1/3")),
            ("1/3/5", notAShard("1/3/5")), (" 1/3", notAShard(" 1/3")), ("/3", notAShard("/3")),
            ("1/99999999999999999999", notAShard("1/99999999999999999999")),
        ] {
            XCTAssertThrowsError(try Shard(parsing: text), text) { error in
                XCTAssertEqual((error as? ShardError)?.reason, reason, text)
            }
        }
    }
}
