// Names made from URLs, and ids made from names: readable when the name is Latin (with
// diacritics), Cyrillic or Greek, and told apart by a short stable hash when it holds what
// does not transliterate (CJK, emoji).

extension StreamSpec {
    /// The name of a stream registered without one: its URL's host and path, never its
    /// credentials (`api.example.com/quotes` for `https://user:pw@api.example.com/quotes/?token=…`).
    public static func defaultName(for url: String) -> String {
        var rest = Substring(url)
        if let authority = Redactor.authority(of: url) {
            rest = url[(Redactor.userInfo(of: url).map { url.index(after: $0.upperBound) } ?? authority.lowerBound)...]
        }
        rest = rest.prefix { $0 != "?" && $0 != "#" }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        return rest.isEmpty ? "stream" : String(rest)
    }

    /// A file-name-safe id made from a name: "Stock quotes (EU)" → "stock-quotes-eu",
    /// "Météo Straße" → "meteo-strasse", "Москва" → "moskva". Letters, digits or symbols that
    /// have no Latin spelling here (東京, 🚀) add a hash of the whole name, four hex digits the
    /// same on every machine and run: "東京 quotes" → "quotes-c292", "東京" → "stream-cfb1".
    /// A name with nothing readable at all ("***") gets `stream-` and its hash; only an empty
    /// name gives plain `stream`.
    public static func slug(_ name: String) -> String {
        var slug = ""
        var pendingDash = false
        var untold = false
        for scalar in name.lowercased().unicodeScalars {
            if let latin = Transliteration.latin(scalar) {
                guard slug.utf8.count < 48 else { continue }
                if pendingDash && !slug.isEmpty && !latin.isEmpty { slug.append("-") }
                slug += latin
                if !latin.isEmpty { pendingDash = false }
            } else {
                pendingDash = true
                if scalar.value >= 0x80, Transliteration.carriesMeaning(scalar) { untold = true }
            }
        }
        if untold || (slug.isEmpty && !name.isEmpty) {
            return (slug.isEmpty ? "stream" : slug) + "-" + Transliteration.shortHash(name)
        }
        return slug.isEmpty ? "stream" : slug
    }
}

/// Latin spellings of letters, for ids.
enum Transliteration {
    /// The ASCII letters and digits `scalar` (lowercase) is written with; "" for a mark or sign
    /// that is silent (a combining accent, ъ); nil for anything else (a separator, or a letter
    /// without a spelling here).
    static func latin(_ scalar: Unicode.Scalar) -> String? {
        if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") { return String(scalar) }
        if scalar.value < 0x80 { return nil }
        // Combining marks (a decomposed é is e and U+0301) take nothing away from the letter.
        if scalar.properties.generalCategory == .nonspacingMark { return "" }
        if let spelled = table[scalar] { return spelled }
        return latinLetter(named: scalar.properties.name ?? "")
    }

    /// "LATIN SMALL LETTER E WITH ACUTE" → "e", "LATIN SMALL LETTER O WITH STROKE" → "o",
    /// "LATIN SMALL LIGATURE OE" → "oe", "FULLWIDTH LATIN SMALL LETTER A" → "a".
    private static func latinLetter(named name: String) -> String? {
        let prefixes = [
            "LATIN SMALL LETTER ", "LATIN CAPITAL LETTER ", "LATIN SMALL LIGATURE ", "FULLWIDTH LATIN SMALL LETTER ",
        ]
        guard let prefix = prefixes.first(where: { name.hasPrefix($0) }) else { return nil }
        let letters = name.dropFirst(prefix.count).prefix { $0 != " " }
        guard (1...2).contains(letters.count), letters.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else { return nil }
        return letters.lowercased()
    }

    /// Whether a scalar without a spelling still tells names apart (a letter, digit or symbol,
    /// emoji included), so that leaving it out must be made up for by the hash. Punctuation,
    /// spaces, joiners and modifiers do not.
    static func carriesMeaning(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter, .decimalNumber, .letterNumber,
             .otherNumber, .mathSymbol, .currencySymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// Four hex digits of the 32-bit FNV-1a hash of the name's UTF-8 bytes, folded to 16 bits:
    /// the same for a name everywhere, unlike Swift's seeded `Hasher`.
    static func shortHash(_ name: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let folded = (hash >> 16) ^ (hash & 0xFFFF)
        let digits = String(folded, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Letters the Unicode names do not spell as one Latin letter: German, Nordic and Icelandic
    /// ones, and lowercase Cyrillic and Greek (names are lowercased first).
    private static let table: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [
            "ß": "ss", "ſ": "s", "ı": "i", "ð": "d", "þ": "th", "ĸ": "k", "ŉ": "n",
        ]
        let cyrillic = "а a б b в v г g д d е e ё e ж zh з z и i й y к k л l м m н n о o п p р r с s т t у u ф f "
            + "х kh ц ts ч ch ш sh щ shch ъ - ы y ь - э e ю yu я ya є ye і i ї yi ґ g ў u ђ dj ј j љ lj њ nj "
            + "ћ c џ dz ѓ gj ќ kj ѕ dz"
        let greek = "α a β v γ g δ d ε e ζ z η i θ th ι i κ k λ l μ m ν n ξ x ο o π p ρ r σ s ς s τ t υ y φ f "
            + "χ ch ψ ps ω o ά a έ e ή i ί i ό o ύ y ώ o ϊ i ϋ y ΐ i ΰ y"
        for alphabet in [cyrillic, greek] {
            let words = alphabet.split(separator: " ")
            for index in stride(from: 0, to: words.count, by: 2) {
                table[words[index].unicodeScalars.first!] = words[index + 1] == "-" ? "" : String(words[index + 1])
            }
        }
        return table
    }()
}
