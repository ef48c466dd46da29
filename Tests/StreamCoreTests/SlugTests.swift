import XCTest
@testable import StreamCore

/// Ids made from names in any script: readable where a Latin spelling exists, a stable hash
/// where none does, and always an id `StreamSpec` accepts.
final class SlugTests: XCTestCase {
    func testNamesInManyScriptsGiveReadableOrHashedIds() {
        let expected: [(name: String, id: String)] = [
            ("Stock quotes (EU)", "stock-quotes-eu"),
            ("Météo (EU) — hourly!", "meteo-eu-hourly"),
            ("Straße Øresund Ærø Łódź þorn İstanbul", "strasse-oresund-aero-lodz-thorn-istanbul"),
            ("Zürich—Genève", "zurich-geneve"),
            ("e\u{301}te\u{301}", "ete"),  // decomposed: the combining accents are dropped
            ("Ｔｅｓｔ", "test"),  // fullwidth Latin
            ("Москва", "moskva"),
            ("Київ", "kiyiv"),
            ("Объект", "obekt"),  // the hard sign is silent
            ("Αθήνα", "athina"),
            // Nothing here spells CJK, emoji, Devanagari or Arabic: the name's hash tells them apart.
            ("東京", "stream-cfb1"),
            ("東京 quotes", "quotes-c292"),
            ("Café 東京", "cafe-d826"),
            ("🚀", "stream-f57d"),
            ("🚀 launches", "launches-d808"),
            ("🛸 launches", "launches-aab2"),
            ("a👍🏽b", "a-b-e9bd"),
            ("ﾃｽﾄ", "stream-d2bb"),
            ("नमस्ते", "stream-fa0b"),
            ("مرحبا", "stream-2a1a"),
            // Empty after cleaning: punctuation only still gets its own id; only "" is plain.
            ("***", "stream-f1e1"),
            ("— · —", "stream-1395"),
            ("", "stream"),
        ]
        for (name, id) in expected {
            let slug = StreamSpec.slug(name)
            XCTAssertEqual(slug, id, name)
            XCTAssertTrue(StreamSpec.isValidID(slug), "\(name) → \(slug)")
        }
    }

    /// Names that differ only in what cannot be spelled get different ids, not `stream` and
    /// `stream-2`; the hash is the same on every run (FNV-1a, not Swift's seeded Hasher).
    func testUnspellableNamesDifferAndHashesAreStable() {
        let names = ["東京", "大阪", "京都", "北京", "서울", "🚀", "🛸", "🌧", "☀️", "ⓐⓑ"]
        let ids = names.map(StreamSpec.slug)
        XCTAssertEqual(Set(ids).count, names.count, "\(ids)")
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("stream-") && $0.count == 11 }, "\(ids)")
        // FNV-1a 32 of "" is its offset basis 0x811c9dc5, of "a" 0xe40c292c; high half xor low half.
        XCTAssertEqual(Transliteration.shortHash(""), "1cd9")
        XCTAssertEqual(Transliteration.shortHash("a"), "cd20")
    }

    /// Long names are cut to stay well inside the 64-character limit, hash and collision
    /// suffix included; what is cut still counts for the hash.
    func testLongNamesStayValidIds() {
        for name in [String(repeating: "é", count: 100), String(repeating: "щ", count: 60) + "東",
                     String(repeating: "東", count: 100), String(repeating: "ab ", count: 50) + "🚀"] {
            let slug = StreamSpec.slug(name)
            XCTAssertTrue(StreamSpec.isValidID(slug + "-99"), "\(name) → \(slug)")
            XCTAssertLessThanOrEqual(slug.utf8.count, 56, slug)
        }
        XCTAssertNotEqual(StreamSpec.slug(String(repeating: "x", count: 60) + "東"),
                          StreamSpec.slug(String(repeating: "x", count: 60) + "西"))
    }

    /// A taken id still gets `-2`, `-3`…, hashed ones included.
    func testCollisionsStillGetASuffix() throws {
        var registry = Registry()
        for name in ["東京", "東京", "Météo", "Meteo"] {
            try registry.add(StreamSpec(id: registry.newID(for: name), name: name, url: "https://h/x"))
        }
        XCTAssertEqual(registry.streams.map(\.id), ["stream-cfb1", "stream-cfb1-2", "meteo", "meteo-2"])
    }

    /// A stream registered without a name is named after its URL's host and path: never its
    /// user info, query or fragment.
    func testDefaultNamesLeaveCredentialsOut() {
        let expected: [(url: String, name: String)] = [
            ("https://api.example.com/quotes?token=t0k", "api.example.com/quotes"),
            ("https://alice:pw1@api.example.com/quotes/#top", "api.example.com/quotes"),
            ("https://ghp_t0ken@api.example.com", "api.example.com"),
            ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
            ("https://", "stream"),
        ]
        for (url, name) in expected { XCTAssertEqual(StreamSpec.defaultName(for: url), name, url) }
    }
}
