import Foundation

/// A word list that repairs words OCR misread in names and free text ("hespital" → "hospital").
///
/// A word is changed only when it is not in the list and exactly one listed word lies within a small
/// edit distance of it, where the substitutions a fax typically causes (e↔o, l↔i, g↔q, a lost double
/// letter, …) cost less than any other edit. All-capital words (acronyms), words with digits and
/// words of three letters or fewer are never changed. The caller marks a changed field for review.
public final class Lexicon: Sendable {
    /// Lower-case words, grouped by length for the search.
    private let byLength: [[[UInt8]]]
    private let words: Set<String>

    public init<S: Sequence>(words list: S) where S.Element == String {
        var set = Set<String>()
        var groups: [[[UInt8]]] = []
        for word in list {
            let lower = word.lowercased()
            guard lower.count >= 2, lower.allSatisfy({ $0.isASCII && $0.isLetter }), set.insert(lower).inserted else { continue }
            let bytes = Array(lower.utf8)
            while groups.count <= bytes.count { groups.append([]) }
            groups[bytes.count].append(bytes)
        }
        words = set
        byLength = groups
    }

    /// Loads one word per line.
    public static func load(path: String) throws(ExtractionError) -> Lexicon {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .wordList(path: path, reason: "no such readable file") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .wordList(path: path, reason: "cannot read it as UTF-8 text")
        }
        let lexicon = Lexicon(words: text.split(whereSeparator: \.isNewline).map(String.init))
        guard !lexicon.words.isEmpty else { throw .wordList(path: path, reason: "it holds no words") }
        return lexicon
    }

    public func contains(_ word: String) -> Bool { words.contains(word.lowercased()) }

    /// The text with misread words replaced, and the replacements made (original, replacement).
    public func corrected(_ text: String) -> (text: String, changes: [(String, String)]) {
        var changes: [(String, String)] = []
        var out = ""
        var word = ""
        func flush() {
            if !word.isEmpty, let fix = correction(for: word) {
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
    func correction(for word: String) -> String? {
        guard word.count >= 4, word.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        let isCapitalised = word.first!.isUppercase && word.dropFirst().allSatisfy(\.isLowercase)
        guard word.allSatisfy(\.isLowercase) || isCapitalised else { return nil }
        let lower = word.lowercased()
        guard !words.contains(lower) else { return nil }
        let target = Array(lower.utf8)
        // Longer words tolerate more damage, but never two plain edits: "unsteadiness" is not a misread
        // "steadiness". A short word tolerates only a typical confusion or a lost double letter.
        let limit: Double = target.count <= 4 ? 0.5 : target.count <= 6 ? 1 : 1.5
        var best: (cost: Double, word: [UInt8])?
        var runnerUp = Double.infinity
        let shortest = max(2, target.count - Int(limit / 0.5)), longest = min(byLength.count - 1, target.count + Int(limit / 0.5))
        guard shortest <= longest else { return nil }
        // Every edit changes the words' letter counts by at most two and costs at least 0.5, so letter
        // counts too far apart rule a word out before the edit distance is computed.
        var counts = [Int](repeating: 0, count: 26)
        for byte in target { counts[Int(byte &- 97) % 26] += 1 }
        let maxCountDifference = 2 * Int(limit / 0.5)
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
                } else {
                    if let current = best { runnerUp = min(runnerUp, current.cost) }
                    best = (cost, candidate)
                }
            }
        }
        // Unique: the next candidate must be clearly worse, or the word stays as read.
        guard let found = best, runnerUp >= found.cost + 0.5 else { return nil }
        let fixed = String(decoding: found.word, as: UTF8.self)
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

    /// Weighted edit distance: a confusable substitution or a doubled letter lost or gained costs 0.5,
    /// any other edit 1, adjacent letters swapped 1. Stops early once every path exceeds `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Double) -> Double {
        let n = a.count, m = b.count
        var previous2 = [Double](repeating: 0, count: m + 1)
        var previous = (0...m).map { Double($0) }
        var current = [Double](repeating: 0, count: m + 1)
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
                current[j] = value
                rowMin = min(rowMin, value)
            }
            if rowMin > limit { return rowMin }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        return previous[m]
    }
}
