/// The characters OCR mistakes for one another on faxed forms, as data: each table is what a checker may
/// substitute, and nothing else. Derived from what tesseract does to 98/196-dpi fax digits and letters.
public enum OCRConfusions {
    /// Digit ↔ digit, for member ids read from the comb: closed loops fill in (0/6/8/9, 3/8, 5/6/8), a
    /// fax line through a 2's base leaves a 7, a 4's open top and a 1's serif read alike (1/4/7, 4/9).
    public static let digits: [Character: [Character]] = [
        "0": ["6", "8", "9"],
        "1": ["4", "7"],
        "2": ["7", "8"],
        "3": ["8"],
        "4": ["1", "7", "9"],
        "5": ["6", "8"],
        "6": ["0", "5", "8"],
        "7": ["1", "2", "4"],
        "8": ["0", "2", "3", "5", "6"],
        "9": ["0", "4"],
    ]

    /// Letter ↔ digit, for ICD-10-CM codes (a letter, then digits and letters): O/0, I/1, S/5, B/8, Z/2, G/6.
    public static let lettersAndDigits: [Character: Character] = [
        "O": "0", "0": "O",
        "I": "1", "1": "I",
        "S": "5", "5": "S",
        "B": "8", "8": "B",
        "Z": "2", "2": "Z",
        "G": "6", "6": "G",
    ]

    /// Letters in names that OCR reads for one another, one for one, case-sensitive where the shapes are
    /// (a lowercase l and a capital I look alike; a capital L does not): l/I/1/|, O/0, S/5, B/8.
    static let nameCharacters: [Set<Character>] = [
        ["l", "I", "1", "|", "i"],
        ["O", "o", "0", "Q"],
        ["S", "s", "5"],
        ["B", "8"],
    ]

    /// Letter pairs OCR reads as one letter (or the reverse) in names: rn/m, vv/w, cl/d.
    static let nameDigraphs: [(pair: String, single: Character)] = [
        ("rn", "m"), ("vv", "w"), ("cl", "d"),
    ]

    /// The reading with its digits made the file's, when they differ in exactly one place and that pair is
    /// a confusion above ("38-7068486" read, "38-2068486" on file: a 2 whose base the fax lost). The
    /// reading's own punctuation is kept. Nil when the digits agree, differ elsewhere or in count.
    public static func oneConfusedDigit(read: String, onFile: String) -> String? {
        let readDigits = read.filter(\.isASCIIDigit), fileDigits = Array(onFile.filter(\.isASCIIDigit))
        guard readDigits.count == fileDigits.count, !fileDigits.isEmpty else { return nil }
        let differing = zip(readDigits, fileDigits).enumerated().filter { $0.element.0 != $0.element.1 }
        guard differing.count == 1, let (position, (was, onFileDigit)) = differing.first,
              digits[was]?.contains(onFileDigit) ?? false else { return nil }
        var seen = 0
        return String(read.map { c -> Character in
            guard c.isASCIIDigit else { return c }
            defer { seen += 1 }
            return seen == position ? onFileDigit : c
        })
    }

    /// Levenshtein distance with adjacent transpositions: how many characters a fax lost, doubled, changed
    /// or swapped.
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// Every string made from `id` by one to `maxSubstitutions` confusable digit substitutions.
    public static func digitVariants(of id: String, maxSubstitutions: Int) -> [String] {
        let chars = Array(id)
        var out: [String] = []
        func walk(_ from: Int, _ current: inout [Character], _ left: Int) {
            guard left > 0 else { return }
            for i in from..<current.count {
                let original = current[i]
                for alternative in digits[original] ?? [] {
                    current[i] = alternative
                    out.append(String(current))
                    walk(i + 1, &current, left - 1)
                }
                current[i] = original
            }
        }
        var current = chars
        walk(0, &current, maxSubstitutions)
        return out
    }
}
