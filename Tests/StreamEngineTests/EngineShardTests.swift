import Foundation
import XCTest
@testable import StreamCore
@testable import StreamEngine

/// Engines of N shards on one registry: each runs its own streams, and together every stream
/// once, from the start, as streams are added and as the registry file changes.
final class EngineShardTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-shard-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func spec(_ id: String) -> StreamSpec {
        // Never started: nothing listens there.
        StreamSpec(id: id, name: id, url: "http://127.0.0.1:9/\(id)")
    }

    func testShardsPartitionTheRegistryAndFollowIt() throws {
        let ids = (0..<60).map { "stream-\($0)" }
        let file = RegistryFile(path: directory + "/streams.json")
        try file.save(try Registry(streams: ids.map(spec)))
        let engines = try (0..<3).map { index in
            try Engine(
                specs: file.load().streams, stateDirectory: nil, registryFile: file,
                shard: Shard(index: index, count: 3))
        }
        defer { for engine in engines { engine.shutdown() } }
        func runs() -> [[String]] { engines.map { $0.specs.map(\.id) } }
        XCTAssertEqual(engines.map(\.shard.description), ["0/3", "1/3", "2/3"])
        XCTAssertEqual(runs().flatMap { $0 }.sorted(), ids.sorted(), "every stream once")
        XCTAssertTrue(runs().allSatisfy { $0.count >= 10 }, "\(runs().map(\.count))")
        for (index, engine) in engines.enumerated() {
            XCTAssertTrue(engine.specs.allSatisfy { Shard.stableHash($0.id) % 3 == UInt64(index) })
            let published = Set(engine.store.latest().snapshots.map(\.id))
            XCTAssertEqual(published, Set(engine.specs.map(\.id)), "only its own are published")
        }

        // Added through one engine: saved to the registry, run by its shard's engine only.
        let added = (0..<12).map { "added-\($0)" }
        for id in added { try engines[0].add(spec(id)) }
        XCTAssertEqual(try file.load().streams.count, 72)
        let first = try Shard(index: 0, count: 3)
        XCTAssertEqual(
            engines[0].specs.filter { $0.id.hasPrefix("added-") }.map(\.id),
            added.filter { first.contains(id: $0) }.sorted())
        XCTAssertTrue(engines[1].specs.allSatisfy { !$0.id.hasPrefix("added-") })

        // The others take theirs in from the registry; nobody takes another shard's.
        let registry = try file.load()
        for engine in engines.dropFirst() {
            let followed = engine.follow(registry)
            XCTAssertEqual(followed.added, added.filter { engine.shard.contains(id: $0) })
            XCTAssertEqual(followed.removed, [])
        }
        XCTAssertEqual(engines[0].follow(registry), Engine.Followed(), "its own added already")
        XCTAssertEqual(runs().flatMap { $0 }.sorted(), (ids + added).sorted())

        // Edited through an engine of another shard: saved, and its own engine runs the new settings.
        let id = try XCTUnwrap(added.first { !first.contains(id: $0) })
        var edited = spec(id)
        edited.name = "Edited"
        try engines[0].update(edited)
        XCTAssertEqual(try file.load().spec(id: id)?.name, "Edited")
        XCTAssertFalse(engines[0].specs.contains { $0.id == id })
        let owner = try XCTUnwrap(engines.first { $0.shard.contains(id: id) })
        XCTAssertEqual(owner.follow(try file.load()).edited, [id])
        XCTAssertEqual(owner.specs.first { $0.id == id }?.name, "Edited")
    }
}
