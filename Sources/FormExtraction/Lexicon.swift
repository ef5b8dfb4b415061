import Foundation
import Synchronization

/// A word list that repairs words OCR misread in names and free text ("hespital" → "hospital").
///
/// A word is changed only when it is not in the list and exactly one listed word lies within a small
/// edit distance of it, where the substitutions a fax typically causes (e↔o, l↔i, g↔q, rn↔m, li↔h, a lost
/// double letter, …) cost less than any other edit. All-capital words (acronyms), words with digits and
/// words of three letters or fewer are never changed. The caller marks a changed field for review.
///
/// Besides the dictionaries, the plan's own names (the roster's and the directory's) are listed; in a
/// name field they settle a tie ("Lopey": Lopez, not dopey or lopes).
public final class Lexicon: Sendable {
    /// Lower-case words, grouped by length for the search.
    private let byLength: [[[UInt8]]]
    private let words: Set<String>
    private let names: Set<String>
    /// Words listed in lower case at least once: common words, not only proper nouns ("office", not "Attica").
    private let common: Set<String>
    /// Repairs already worked out, by word and whether it is in a name: a form's misreads recur across the
    /// readings of a field and between fields, and each search scans every listed word of a similar length.
    private let repairs = Mutex<[RepairKey: String?]>([:])
    /// Enough for every misread of many documents; a long-running service starts the cache over past it.
    private static let repairsKept = 20_000

    private struct RepairKey: Hashable {
        var word: String
        var asName: Bool
    }

    /// `words` and `names` are entries as written; an entry in capitals only (AMD, NASA) is an acronym
    /// and is left out, so a lower-case misread ("amd") is not taken for a word.
    public init<S: Sequence, N: Sequence>(words list: S, names nameList: N) where S.Element == String, N.Element == String {
        var set = Set<String>()
        var nameSet = Set<String>()
        var commonSet = Set<String>()
        var groups: [[[UInt8]]] = []
        func add(_ word: String) -> String? {
            // Only ASCII letters are listed, so the checks and the lower-casing work on bytes: a list has
            // hundreds of thousands of entries, read at every start.
            var bytes = Array(word.utf8)
            guard bytes.count >= 2, bytes.allSatisfy(Self.isASCIILetter), bytes.contains(where: { $0 >= 0x61 }) else { return nil }
            for k in bytes.indices { bytes[k] |= 0x20 }
            let lower = String(decoding: bytes, as: UTF8.self)
            guard set.insert(lower).inserted else { return lower }
            while groups.count <= bytes.count { groups.append([]) }
            groups[bytes.count].append(bytes)
            return lower
        }
        for word in list {
            if let lower = add(word), word == lower { commonSet.insert(lower) }
        }
        for name in nameList {
            // Names come in capitals from some exports: judge them as capitalised words.
            let word = name.allSatisfy({ !$0.isLetter || $0.isUppercase }) ? name.prefix(1) + name.dropFirst().lowercased() : name
            if let lower = add(String(word)) { nameSet.insert(lower) }
        }
        words = set
        names = nameSet
        common = commonSet
        byLength = groups
    }

    /// A-Z or a-z.
    static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    public convenience init<S: Sequence>(words list: S) where S.Element == String {
        self.init(words: list, names: [String]())
    }

    /// Loads word lists, one word per line; a hunspell dictionary (`.dic`: a count, then `word/FLAGS`)
    /// reads as its stems. `names` are the plan's own names (see the type's comment).
    public static func load(paths: [String], names: [String] = []) throws(ExtractionError) -> Lexicon {
        var entries: [String] = []
        for path in paths {
            guard FileManager.default.isReadableFile(atPath: path) else { throw .wordList(path: path, reason: "no such readable file") }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .wordList(path: path, reason: "cannot read it as UTF-8 text")
            }
            let before = entries.count
            entries += words(in: text)
            guard entries.count > before else { throw .wordList(path: path, reason: "it holds no words") }
        }
        return Lexicon(words: entries, names: names)
    }

    /// The entries of a word list's text: each line's stem (up to a hunspell `/FLAGS`), trimmed, when it
    /// is two or more ASCII letters.
    static func words(in text: String) -> [String] {
        var entries: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            // Lines of ASCII are read as bytes; a line with any other character goes through Character
            // rules, which know every newline and space Unicode has.
            func line(_ range: Range<Int>) {
                guard !range.isEmpty else { return }
                let slice = UnsafeBufferPointer(rebasing: bytes[range])
                if slice.allSatisfy({ $0 < 0x80 }) {
                    var end = slice.firstIndex(of: UInt8(ascii: "/")) ?? slice.count
                    var first = 0
                    while first < end, slice[first] == 0x20 || slice[first] == 0x09 { first += 1 }
                    while end > first, slice[end - 1] == 0x20 || slice[end - 1] == 0x09 { end -= 1 }
                    let word = UnsafeBufferPointer(rebasing: slice[first..<end])
                    if word.count >= 2, word.allSatisfy(isASCIILetter) { entries.append(String(decoding: word, as: UTF8.self)) }
                } else {
                    for line in String(decoding: slice, as: UTF8.self).split(whereSeparator: \.isNewline) {
                        let stem = line.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
                        let word = stem.trimmingCharacters(in: .whitespaces)
                        if word.count >= 2, word.allSatisfy({ $0.isASCII && $0.isLetter }) { entries.append(word) }
                    }
                }
            }
            for k in 0..<bytes.count where bytes[k] == 0x0A || bytes[k] == 0x0D || bytes[k] == 0x0B || bytes[k] == 0x0C {
                line(start..<k)
                start = k + 1
            }
            line(start..<bytes.count)
        }
        return entries
    }

    /// Loads one word list.
    public static func load(path: String) throws(ExtractionError) -> Lexicon { try load(paths: [path]) }

    public func contains(_ word: String) -> Bool { words.contains(word.lowercased()) }

    /// The text with misread words replaced, and the replacements made (original, replacement).
    /// In a name (`asName`), a tie between candidates goes to the one name the plan's data lists.
    public func corrected(_ text: String, asName: Bool = false) -> (text: String, changes: [(String, String)]) {
        var changes: [(String, String)] = []
        var out = ""
        var word = ""
        func flush() {
            if !word.isEmpty, let fix = correction(for: word, asName: asName) {
                changes.append((word, fix))
                out += fix
            } else {
                out += word
            }
            word = ""
        }
        // Words are the runs of letters; punctuation, digits and spaces pass through untouched, but a
        // run of letters glued to a digit is left alone (a code such as "J1745" or "25hrs").
        var touchesDigit = false
        for ch in text {
            if ch.isLetter {
                word.append(ch)
            } else {
                if ch.isNumber { touchesDigit = true }
                if touchesDigit { out += word; word = "" } else { flush() }
                out.append(ch)
                if !ch.isNumber { touchesDigit = false }
            }
        }
        if touchesDigit { out += word } else { flush() }
        return (out, changes)
    }

    /// The words of the text that are in the list neither as written nor in lower case: runs of three or
    /// more letters not glued to a digit. All-capital words (acronyms: ABA, MRI) are not judged.
    public func unknownWords(in text: String) -> [String] {
        var unknown: [String] = []
        var word = ""
        var touchesDigit = false
        func flush() {
            defer { word = "" }
            guard !touchesDigit, word.count >= 3, word.contains(where: \.isLowercase), word.allSatisfy(\.isASCII) else { return }
            if !words.contains(word.lowercased()) { unknown.append(word) }
        }
        for ch in text {
            if ch.isLetter {
                word.append(ch)
            } else {
                if ch.isNumber { touchesDigit = true }
                flush()
                if !ch.isNumber { touchesDigit = false }
            }
        }
        flush()
        return unknown
    }

    /// The single listed word close enough to `word`, with its capitalisation, or nil.
    func correction(for word: String, asName: Bool = false) -> String? {
        let key = RepairKey(word: word, asName: asName)
        if let known = repairs.withLock({ $0[key] }) { return known }
        let found = searchCorrection(for: word, asName: asName)
        repairs.withLock { cache in
            if cache.count >= Self.repairsKept { cache.removeAll(keepingCapacity: true) }
            cache[key] = found
        }
        return found
    }

    private func searchCorrection(for word: String, asName: Bool) -> String? {
        guard word.count >= 4, word.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        let isCapitalised = word.first!.isUppercase && word.dropFirst().allSatisfy(\.isLowercase)
        guard word.allSatisfy(\.isLowercase) || isCapitalised else { return nil }
        let lower = word.lowercased()
        let target = Array(lower.utf8)
        if words.contains(lower) {
            // In a name, a capitalised dictionary word the plan's names lack ("Mana") that is one typical
            // confusion from exactly one of them (Maria: ri read as n) is that name misread.
            guard asName, isCapitalised, !names.contains(lower) else { return nil }
            let close = names.filter { abs($0.utf8.count - target.count) <= 1 && Self.distance(target, Array($0.utf8), limit: 0.5) <= 0.5 }
            guard close.count == 1, let name = close.first else { return nil }
            return name.prefix(1).uppercased() + name.dropFirst()
        }
        // Longer words tolerate more damage, but never two plain edits: "unsteadiness" is not a misread
        // "steadiness". A short word tolerates only a typical confusion or a lost double letter.
        let limit: Double = target.count <= 4 ? 0.5 : target.count <= 6 ? 1 : 1.5
        var best: (cost: Double, word: [UInt8])?
        var runnerUp = Double.infinity
        // The candidates at the best cost so far, for a tie-break.
        var tied: [[UInt8]] = []
        let shortest = max(2, target.count - Int(limit / 0.5)), longest = min(byLength.count - 1, target.count + Int(limit / 0.5))
        guard shortest <= longest else { return nil }
        // Every edit changes the words' letter counts by at most three (rn → m) and costs at least 0.5, so
        // letter counts too far apart rule a word out before the edit distance is computed.
        var counts = [Int](repeating: 0, count: 26)
        for byte in target { counts[Int(byte &- 97) % 26] += 1 }
        let maxCountDifference = 3 * Int(limit / 0.5)
        for length in shortest...longest {
            for candidate in byLength[length] {
                var difference = 0
                for byte in candidate { counts[Int(byte &- 97) % 26] -= 1 }
                for k in 0..<26 { difference += abs(counts[k]) }
                for byte in candidate { counts[Int(byte &- 97) % 26] += 1 }
                guard difference <= maxCountDifference else { continue }
                let cost = Self.distance(target, candidate, limit: limit)
                guard cost <= limit else { continue }
                if let current = best, cost >= current.cost {
                    runnerUp = min(runnerUp, cost)
                    if cost == current.cost { tied.append(candidate) }
                } else {
                    if let current = best { runnerUp = min(runnerUp, current.cost) }
                    best = (cost, candidate)
                    tied = [candidate]
                }
            }
        }
        guard let found = best else { return nil }
        let chosen: [UInt8]
        if runnerUp >= found.cost + 0.5 {
            // Unique: the next candidate is clearly worse.
            chosen = found.word
        } else {
            // A tie: in a name, the one name the plan knows; elsewhere, the one common word among proper
            // nouns ("Ottice": office, not Attica).
            let preferred = tied.filter { candidate in
                let word = String(decoding: candidate, as: UTF8.self)
                return asName ? names.contains(word) : common.contains(word)
            }
            guard preferred.count == 1 else { return nil }
            chosen = preferred[0]
        }
        let fixed = String(decoding: chosen, as: UTF8.self)
        return isCapitalised ? fixed.prefix(1).uppercased() + fixed.dropFirst() : fixed
    }

    /// Pairs of letters a fax's lost or added pixels turn into each other.
    private static let confusable: Set<UInt16> = {
        let pairs = ["eo", "ec", "ao", "au", "uo", "uv", "vy", "li", "lt", "ij", "tf", "gq", "gy", "hn", "hb", "nr", "rt", "mn", "ce", "ae", "ns", "ti"]
        var set = Set<UInt16>()
        for pair in pairs {
            let b = Array(pair.utf8)
            set.insert(UInt16(b[0]) << 8 | UInt16(b[1])); set.insert(UInt16(b[1]) << 8 | UInt16(b[0]))
        }
        return set
    }()

    /// Pairs of letters a fax or the recogniser merges into one (read, as one letter): rn → m, li → h.
    private static let merged: Set<UInt32> = {
        let groups = ["rnm", "inm", "nim", "rin", "lih", "cld", "vvw", "iin", "lik", "lcd"]
        var set = Set<UInt32>()
        for g in groups {
            let b = Array(g.utf8)
            set.insert(UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2]))
        }
        return set
    }()

    private static func isMerged(_ first: UInt8, _ second: UInt8, _ one: UInt8) -> Bool {
        merged.contains(UInt32(first) << 16 | UInt32(second) << 8 | UInt32(one))
    }

    /// Weighted edit distance: a confusable substitution, two letters read as the one they merge into
    /// (or one read as two), or a doubled letter lost or gained costs 0.5, any other edit 1, adjacent
    /// letters swapped 1. Stops early once every path exceeds `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Double) -> Double {
        let n = a.count, m = b.count
        var previous2 = [Double](repeating: 0, count: m + 1)
        var previous = (0...m).map { Double($0) }
        var current = [Double](repeating: 0, count: m + 1)
        var previousRowMin = 0.0
        for i in 1...n {
            current[0] = Double(i)
            var rowMin = current[0]
            for j in 1...m {
                let substitution: Double
                if a[i - 1] == b[j - 1] { substitution = 0 }
                else if confusable.contains(UInt16(a[i - 1]) << 8 | UInt16(b[j - 1])) { substitution = 0.5 }
                else { substitution = 1 }
                // Deleting a[i-1] (or inserting b[j-1]) is cheap when it repeats its neighbour.
                let deletion = (i >= 2 && a[i - 1] == a[i - 2]) ? 0.5 : 1.0
                let insertion = (j >= 2 && b[j - 1] == b[j - 2]) ? 0.5 : 1.0
                var value = min(previous[j - 1] + substitution, previous[j] + deletion, current[j - 1] + insertion)
                if i >= 2, j >= 2, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, previous2[j - 2] + 1) }
                // Two letters read for one ("rn" for m), or one for two ("h" for li).
                if i >= 2, isMerged(a[i - 2], a[i - 1], b[j - 1]) { value = min(value, previous2[j - 1] + 0.5) }
                if j >= 2, isMerged(b[j - 2], b[j - 1], a[i - 1]) { value = min(value, previous[j - 2] + 0.5) }
                current[j] = value
                rowMin = min(rowMin, value)
            }
            // A merge reaches back two rows, so only two rows past the limit end the search.
            if rowMin > limit, previousRowMin > limit { return rowMin }
            previousRowMin = rowMin
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        return previous[m]
    }
}
