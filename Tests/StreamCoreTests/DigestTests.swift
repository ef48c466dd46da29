import XCTest
@testable import StreamCore

/// SHA-256 and MD5 against the standard vectors (FIPS 180 examples, RFC 1321's test suite),
/// whole and fed in random pieces.
final class DigestTests: XCTestCase {
    static let abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    static let abc896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
        + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

    func sha(_ text: String) -> String { hexString(SHA256.hash(Array(text.utf8))) }
    func md5(_ text: String) -> String { hexString(MD5.hash(Array(text.utf8))) }

    func testSHA256StandardVectors() {
        XCTAssertEqual(sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(sha(Self.abc448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(sha(Self.abc896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(hexString(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testMD5StandardVectors() {
        XCTAssertEqual(md5(""), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(md5("a"), "0cc175b9c0f1b6a831c399e269772661")
        XCTAssertEqual(md5("abc"), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(md5("message digest"), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertEqual(md5("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b")
        XCTAssertEqual(md5(String(repeating: "1234567890", count: 8)), "57edf4a22be3c955ac49da2e2107b67a")
        XCTAssertEqual(md5(Self.abc448), "8215ef0796a20bcaaae116d3876c664a")
        XCTAssertEqual(hexString(MD5.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))),
                       "7707d6ae4e027c70eea2a935c2296f21")
    }

    /// Every length around the padding's edges (55, 56, 63, 64 bytes…), fed whole and in random
    /// pieces, gives the same digest.
    func testPiecesGiveTheSameDigestAsTheWhole() {
        var random = SeededRandom(seed: 13)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            for _ in 0..<5 {
                var sha = SHA256()
                var md5 = MD5()
                var offset = 0
                while offset < bytes.count {
                    let piece = min(bytes.count - offset, Int.random(in: 0...150, using: &random))
                    bytes[offset..<offset + piece].withUnsafeBytes { sha.update($0); md5.update($0) }
                    offset += piece
                }
                XCTAssertEqual(sha.finalize(), SHA256.hash(bytes), "length \(length)")
                XCTAssertEqual(md5.finalize(), MD5.hash(bytes), "length \(length)")
            }
        }
    }

    func testHexIsLowercaseTwoDigitsAByte() {
        XCTAssertEqual(hexString([0x00, 0x0f, 0xa0, 0xff]), "000fa0ff")
        XCTAssertEqual(hexString([UInt8]()), "")
    }
}
