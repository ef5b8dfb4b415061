/// A person's name as read from a form, free text: "Last, First", "First Last", "First Middle Last",
/// "LAST FIRST", any case, extra spaces and punctuation.
struct PersonName: Sendable {
    /// Words, each reduced to letters and the digits and bars OCR puts in their place, case kept
    /// (case tells a lowercase l from a capital I).
    let words: [[Character]]
    /// How many words come before the first comma, if there is one: "Last, First" then says which is which.
    let wordsBeforeComma: Int?

    /// Words that are not part of a name to compare: generational suffixes and, for providers, credentials.
    static let suffixes: Set<String> = ["JR", "SR", "II", "III", "IV"]

    init?(_ text: String, dropping ignored: Set<String> = PersonName.suffixes) {
        var words: [[Character]] = []
        var beforeComma: Int? = nil
        var current: [Character] = []
        func finish() {
            if !current.isEmpty, !ignored.contains(String(current).uppercased()) { words.append(current) }
            current = []
        }
        for c in text {
            if c == "," {
                finish()
                if beforeComma == nil { beforeComma = words.count }
            } else if c.isWhitespace {
                finish()
            } else if c.isLetter || c.isNumber || c == "|" {
                current.append(c)
            }
            // Apostrophes, hyphens, periods: "O'Brien" = "OBrien", "Smith-Jones" = "SmithJones".
        }
        finish()
        guard !words.isEmpty else { return nil }
        self.words = words
        // A comma with nothing after it (e.g. "Smith, MD" once the credential is dropped) says nothing.
        if let k = beforeComma, k > 0, k < words.count { wordsBeforeComma = k } else { wordsBeforeComma = nil }
    }

    /// True when some reading of the words as (last, first) agrees with the roster's last and first name.
    /// The last name must agree whole; the first name whole or by its first word (a middle name written).
    func agrees(lastName: String, firstName: String) -> Bool {
        let last = PersonName.letters(lastName), first = PersonName.letters(firstName)
        guard !last.isEmpty, !first.isEmpty else { return false }
        let firstFirstWord = PersonName.letters(String(firstName.split(separator: " ").first ?? ""))
        func test(_ readLast: ArraySlice<[Character]>, _ readFirst: ArraySlice<[Character]>) -> Bool {
            guard !readLast.isEmpty, !readFirst.isEmpty else { return false }
            let l = Array(readLast.joined()), f = Array(readFirst.joined())
            guard PersonName.similar(read: l, roster: last) else { return false }
            if PersonName.similar(read: f, roster: first) { return true }
            // "Mary A" / "Mary Ann" against a roster "Mary": the read's first word alone.
            if readFirst.count > 1, PersonName.similar(read: readFirst.first!, roster: first) { return true }
            return firstFirstWord != first && PersonName.similar(read: f, roster: firstFirstWord)
        }
        let w = words[...]
        let n = w.count
        if let k = wordsBeforeComma {
            return test(w[..<k], w[k...])
        }
        guard n >= 2 else { return false }
        for split in 1..<n {
            if test(w[split...], w[..<split]) || test(w[..<split], w[split...]) { return true }
        }
        // "First Middle Last" and "Last First Middle".
        if n >= 3, test(w[(n - 1)...], w[0..<1]) || test(w[0..<1], w[1..<2]) { return true }
        return false
    }

    /// A roster name as characters without spaces and punctuation.
    static func letters(_ name: String) -> [Character] {
        name.filter { $0.isLetter || $0.isNumber }.map { $0 }
    }

    /// The read part agrees with the roster part when they align with no edit, counting a case difference
    /// or an OCR confusion (`OCRConfusions.nameCharacters`, `nameDigraphs`) as no edit — or with one edit
    /// when the roster part has five letters or more. A short name must be exact: "Ann" is not "Ana".
    static func similar(read: [Character], roster: [Character]) -> Bool {
        let allowed = roster.count >= 5 ? 1 : 0
        guard abs(read.count - roster.count) <= allowed + 1 else { return false }  // +1: a digraph
        let n = read.count, m = roster.count
        let big = 1_000
        var d = [[Int]](repeating: [Int](repeating: big, count: m + 1), count: n + 1)
        d[0][0] = 0
        for i in 0...n {
            for j in 0...m {
                var best = d[i][j]
                if i > 0 { best = min(best, d[i - 1][j] + 1) }
                if j > 0 { best = min(best, d[i][j - 1] + 1) }
                if i > 0, j > 0 { best = min(best, d[i - 1][j - 1] + (same(read[i - 1], roster[j - 1]) ? 0 : 1)) }
                if i > 1, j > 0, digraph(read[i - 2], read[i - 1], is: roster[j - 1]) { best = min(best, d[i - 2][j - 1]) }
                if i > 0, j > 1, digraph(roster[j - 2], roster[j - 1], is: read[i - 1]) { best = min(best, d[i - 1][j - 2]) }
                d[i][j] = best
            }
        }
        return d[n][m] <= allowed
    }

    private static func same(_ a: Character, _ b: Character) -> Bool {
        if a == b || a.uppercased() == b.uppercased() { return true }
        return OCRConfusions.nameCharacters.contains { $0.contains(a) && $0.contains(b) }
    }

    private static func digraph(_ a: Character, _ b: Character, is single: Character) -> Bool {
        let pair = (String(a) + String(b)).lowercased(), one = Character(single.lowercased())
        return OCRConfusions.nameDigraphs.contains { $0.pair == pair && $0.single == one }
    }
}
