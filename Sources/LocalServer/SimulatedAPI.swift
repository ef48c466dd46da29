import StreamCore

/// A simulated JSON API whose document changes at a known rate, served both as a poll
/// endpoint and as a Streamdata-style event stream from the same data, so that poll and
/// stream comparisons are honest.
///
/// Each `period` the document moves to the next version by a small, seeded change; the patch
/// between versions is kept (the last `historyLimit`) so that a stream reconnecting with
/// `Last-Event-ID` can be resumed with the patches it missed.
final class SimulatedAPI {
    enum Kind: String, CaseIterable, Sendable {
        /// Stock quotes: a few prices change every step.
        case quotes
        /// A whole market: 150 quotes (about 11 KB), of which a few change every step. The
        /// case streaming is for: polling fetches everything to learn of small changes.
        case market
        /// A weather report: temperature and wind change every step.
        case weather
        /// A status page: one component flips now and then.
        case status
        /// A name whose only change is its Unicode normalization (NFC, then NFD, and back): the
        /// same text to a reader, a different JSON string. No version member either.
        case spelling
    }

    let name: String
    let kind: Kind
    let period: Duration
    private(set) var version = 1
    private(set) var document: JSONValue
    private(set) var lastStep: Moment
    /// Patches that led to each version, newest last.
    private(set) var history: [(version: Int, patch: JSONPatch)] = []
    static let historyLimit = 1000
    private var random: SplitMix64

    init(name: String, kind: Kind, period: Duration, seed: UInt64, start: Moment) {
        self.name = name
        self.kind = kind
        self.period = period
        self.random = SplitMix64(seed: seed)
        self.lastStep = start
        switch kind {
        case .quotes:
            let symbols = ["ACME", "GLBX", "INIT", "UMBR", "STRK", "WAYN", "TYRL", "CYBD", "OSCP", "SOYL", "VAND", "WONK"]
            document = ["market": "demo", "version": 1, "quotes": .array(symbols.enumerated().map { index, symbol in
                ["symbol": .string(symbol), "price": .number(JSONNumber(100 + index * 7)), "volume": .number(JSONNumber(10_000 + index * 1_000))]
            })]
        case .market:
            var generator = SplitMix64(seed: 77)
            let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            document = ["market": "demo", "version": 1, "quotes": .array((0..<150).map { index in
                let symbol = String((0..<4).map { _ in letters[Int.random(in: 0..<letters.count, using: &generator)] })
                let price = Double(Int.random(in: 1_000...50_000, using: &generator)) / 100
                return ["symbol": .string(symbol), "price": .number(JSONNumber(price)!), "volume": .number(JSONNumber(Int.random(in: 1_000...90_000, using: &generator)))]
            })]
        case .weather:
            document = ["station": "demo-airport", "version": 1, "temperature": 12.5, "wind": ["speed": 14, "direction": "NW"], "conditions": "cloudy"]
        case .status:
            document = ["version": 1, "components": ["api": "operational", "database": "operational", "search": "operational", "billing": "operational"]]
        case .spelling:
            document = ["name": .string(SimulatedAPI.composedName)]
        }
    }

    /// Moves to `now`, one version per elapsed period; returns the new versions' patches.
    func advance(to now: Moment) -> [(version: Int, patch: JSONPatch)] {
        var produced: [(Int, JSONPatch)] = []
        while now - lastStep >= period {
            lastStep = lastStep + period
            produced.append(step())
        }
        return produced
    }

    /// The next version, as a patch applied to the document.
    func step() -> (version: Int, patch: JSONPatch) {
        var next = document
        version += 1
        next = mutated(next)
        if kind != .spelling, case .object(var object) = next {
            object["version"] = .number(JSONNumber(version))
            next = .object(object)
        }
        let patch = JSONDiff.diff(from: document, to: next)
        document = next
        history.append((version, patch))
        if history.count > SimulatedAPI.historyLimit { history.removeFirst(history.count - SimulatedAPI.historyLimit) }
        return (version, patch)
    }

    /// The patches after `version`, when all of them are still known.
    func patches(after version: Int) -> [(version: Int, patch: JSONPatch)]? {
        if version == self.version { return [] }
        guard version < self.version, let first = history.first, first.version <= version + 1 else { return nil }
        return history.filter { $0.version > version }
    }

    private func mutated(_ document: JSONValue) -> JSONValue {
        guard case .object(var object) = document else { return document }
        switch kind {
        case .quotes, .market:
            guard case .array(var quotes) = object["quotes"] else { return document }
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 0..<quotes.count, using: &random)
                guard case .object(var quote) = quotes[index], let price = quote["price"]?.numberValue?.doubleValue else { continue }
                let cents = Int((price * 100).rounded()) + Int.random(in: -150...150, using: &random)
                quote["price"] = .number(JSONNumber(Double(max(cents, 1)) / 100)!)
                quote["volume"] = .number(JSONNumber((quote["volume"]?.numberValue?.intValue ?? 0) + Int.random(in: 1...500, using: &random)))
                quotes[index] = .object(quote)
            }
            object["quotes"] = .array(quotes)
        case .weather:
            let tenths = Int(((object["temperature"]?.numberValue?.doubleValue ?? 12) * 10).rounded()) + Int.random(in: -3...3, using: &random)
            object["temperature"] = .number(JSONNumber(Double(tenths) / 10)!)
            object["wind"] = ["speed": .number(JSONNumber(Int.random(in: 5...30, using: &random))), "direction": .string(["N", "NE", "E", "SE", "S", "SW", "W", "NW"].randomElement(using: &random)!)]
        case .status:
            guard case .object(var components) = object["components"] else { return document }
            let key = components.keys.randomElement(using: &random)!
            components[key] = components[key] == "operational" ? "degraded" : "operational"
            object["components"] = .object(components)
        case .spelling:
            let isComposed = object["name"] == .string(SimulatedAPI.composedName)
            object["name"] = .string(isComposed ? SimulatedAPI.decomposedName : SimulatedAPI.composedName)
        }
        return .object(object)
    }

    /// "Zoë" with U+00EB, and with "e" + U+0308.
    static let composedName = "Zo\u{EB}"
    static let decomposedName = "Zoe\u{308}"
}
