/// The name of one file of a stream's archive: a UTC day split into parts, each compressed
/// once it is closed. `2026-12-02.jsonl` is the day's first part, `2026-12-02_000001.jsonl`
/// the next, and `….jsonl.gz` a closed part compressed. Names sort in the order they were
/// written (`.` sorts before `_`, and part numbers have six digits).
struct ArchivePart: Comparable, Hashable {
    /// `2026-12-02`.
    var date: String
    var number: Int
    var compressed: Bool

    var name: String {
        let digits = String(number)
        let base = number == 0 ? date : date + "_" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return base + (compressed ? ".jsonl.gz" : ".jsonl")
    }

    init(date: String, number: Int, compressed: Bool = false) {
        self.date = date
        self.number = number
        self.compressed = compressed
    }

    /// Parses a name `name` gives; nil for any other file.
    init?(name: String) {
        var rest = Substring(name)
        if rest.hasSuffix(".jsonl.gz") {
            compressed = true
            rest = rest.dropLast(9)
        } else if rest.hasSuffix(".jsonl") {
            compressed = false
            rest = rest.dropLast(6)
        } else {
            return nil
        }
        let date = rest.prefix(10)
        guard date.utf8.count == 10, ArchivePart.isDate(date) else { return nil }
        rest = rest.dropFirst(10)
        if rest.isEmpty {
            number = 0
        } else {
            let digits = rest.dropFirst()
            guard rest.first == "_", digits.utf8.count >= 6, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let number = Int(digits), number > 0 else { return nil }
            self.number = number
        }
        self.date = String(date)
    }

    /// `dddd-dd-dd`.
    private static func isDate(_ text: Substring) -> Bool {
        text.utf8.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte)  // "-", digits
        }
    }

    /// The same part, before or after compression.
    var uncompressed: ArchivePart { ArchivePart(date: date, number: number) }

    static func < (lhs: ArchivePart, rhs: ArchivePart) -> Bool {
        (lhs.date, lhs.number, lhs.compressed ? 1 : 0) < (rhs.date, rhs.number, rhs.compressed ? 1 : 0)
    }
}
