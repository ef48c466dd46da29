import StreamCore

/// Deterministic Streamdata-style test data: a stock-quote document of about 47 KB and
/// patches of 1–6 operations against it, the shape of a real market-data stream.
///
/// The feed keeps its own model of the quotes (plain structs), so the benchmark can check the
/// final document against text rendered from the model: independent of the patch code it measures.
struct QuoteFeed {
    struct Quote {
        var symbol: String
        var name: String
        var exchange: String
        var price: Int  // cents
        var change: Int
        var bid: Int
        var ask: Int
        var volume: Int
        var updated: Int
    }

    private(set) var quotes: [Quote] = []
    private(set) var updatedAt = 1_764_000_000
    private var random: SplitMix64

    init(seed: UInt64, quoteCount: Int = 230) {
        random = SplitMix64(seed: seed)
        let names = ["Acme Corporation", "Globex Inc.", "Initech Ltd", "Umbrella Holdings", "Stark Industries", "Wayne Enterprises", "Tyrell Corp", "Cyberdyne Systems"]
        let exchanges = ["NASDAQ", "NYSE", "LSE", "XETRA"]
        for i in 0..<quoteCount {
            let price = random.int(100..<500_000)
            quotes.append(Quote(
                symbol: "SYM\(i)", name: names[i % names.count] + " \(i)", exchange: exchanges[i % exchanges.count],
                price: price, change: random.int(-500..<500), bid: price - 5, ask: price + 5,
                volume: random.int(1000..<10_000_000), updated: updatedAt))
        }
    }

    static func decimal(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The document as compact JSON text.
    var documentText: String {
        var text = #"{"source":"streamtop-bench","market":"global","updatedAt":\#(updatedAt),"quotes":["#
        for (i, q) in quotes.enumerated() {
            if i > 0 { text += "," }
            text += #"{"symbol":"\#(q.symbol)","name":"\#(q.name)","exchange":"\#(q.exchange)","currency":"USD","#
            text += #""price":\#(Self.decimal(q.price)),"change":\#(Self.decimal(q.change)),"bid":\#(Self.decimal(q.bid)),"ask":\#(Self.decimal(q.ask)),"#
            text += #""volume":\#(q.volume),"updated":\#(q.updated),"tags":["equity","live"]}"#
        }
        return text + "]}"
    }

    /// The next patch (1–6 operations) as JSON text; the model is updated to match.
    mutating func nextPatch() -> String {
        var operations: [String] = []
        let count = random.int(1..<7)
        while operations.count < count {
            let i = random.int(0..<quotes.count)
            switch random.int(0..<8) {
            case 0:
                operations.append(#"{"op":"test","path":"/quotes/\#(i)/symbol","value":"\#(quotes[i].symbol)"}"#)
            case 1:
                quotes[i].volume += random.int(1..<5000)
                operations.append(#"{"op":"replace","path":"/quotes/\#(i)/volume","value":\#(quotes[i].volume)}"#)
            case 2:
                updatedAt += 1
                operations.append(#"{"op":"replace","path":"/updatedAt","value":\#(updatedAt)}"#)
            case 3:
                quotes[i].bid = quotes[i].price - random.int(1..<20)
                operations.append(#"{"op":"replace","path":"/quotes/\#(i)/bid","value":\#(Self.decimal(quotes[i].bid))}"#)
            case 4:
                quotes[i].updated += random.int(1..<60)
                operations.append(#"{"op":"replace","path":"/quotes/\#(i)/updated","value":\#(quotes[i].updated)}"#)
            default:
                let delta = random.int(-300..<300)
                quotes[i].price = max(1, quotes[i].price + delta)
                operations.append(#"{"op":"replace","path":"/quotes/\#(i)/price","value":\#(Self.decimal(quotes[i].price))}"#)
                if operations.count < count {
                    quotes[i].change += delta
                    operations.append(#"{"op":"replace","path":"/quotes/\#(i)/change","value":\#(Self.decimal(quotes[i].change))}"#)
                }
            }
        }
        return "[" + operations.joined(separator: ",") + "]"
    }
}

extension SplitMix64 {
    /// A number in `range` (the small modulo bias is irrelevant for test data).
    mutating func int(_ range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
