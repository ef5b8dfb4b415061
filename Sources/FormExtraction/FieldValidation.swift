import Foundation

/// The outcome of checking one value against its field's rule.
public struct ValidationOutcome: Sendable, Equatable {
    public var value: String
    public var normalized: String
    public var valid: Bool
    public var issues: [FieldIssue]
}

/// Checks and normalises field values by the validator the field map names.
public enum FieldValidation {
    /// Characters OCR commonly mistakes for digits, and the digit meant.
    static let digitConfusions: [Character: Character] = [
        "O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1", "!": "1",
        "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "g": "9", "q": "9", "T": "7",
    ]

    public static func validate(_ raw: String, field: FieldSpec) -> ValidationOutcome {
        let value = trimmingStrayMarks(collapseWhitespace(raw), field: field)
        guard !value.isEmpty else {
            return ValidationOutcome(value: "", normalized: "", valid: !field.required,
                                     issues: field.required ? [.requiredEmpty] : [])
        }
        switch field.validator {
        case .date: return withCorrection(value, check: dateWithLeadingZero)
        case .memberID: return withCorrection(value) { digits($0, count: field.length ?? 11, what: "member ID") }
        case .npi: return withCorrection(value, check: npi)
        case .phone: return withCorrection(value, check: phoneWithRepairedSeparator)
        case .tin: return withCorrection(value, check: tin)
        case .icd10: return icd10(value)
        case .cptHCPCS: return cptHCPCS(value)
        case .integer: return withCorrection(value, check: integer)
        case nil:
            if field.type == .name, let credentials = field.credentials, let suffix = credential(of: value),
               !credentials.contains(where: { $0.uppercased().filter { $0 != "." } == suffix.filter { $0 != "." } }) {
                return ValidationOutcome(value: value, normalized: value, valid: false,
                                         issues: [.invalid("'\(suffix)' after the name is no credential the field map lists")])
            }
            let text = field.type == .text ? sentenceCased(value) : value
            return ValidationOutcome(value: text, normalized: text, valid: true, issues: [])
        }
    }

    /// What a name ends with after its last comma, when it is written as a credential is: capitals (with
    /// digits, periods, a hyphen), one word. "Thomas, David" ends with a given name, not a credential.
    static func credential(of name: String) -> String? {
        guard let comma = name.lastIndex(of: ",") else { return nil }
        let suffix = name[name.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard !suffix.isEmpty, suffix.count <= 6,
              suffix.allSatisfy({ ($0.isLetter && $0.isUppercase) || $0.isNumber || $0 == "." || $0 == "-" }),
              suffix.contains(where: \.isLetter) else { return nil }
        return suffix
    }

    /// Letters whose small and capital forms differ only in size: on a degraded fax the recogniser's case
    /// is a guess, which grammar settles.
    static let caseByShapeAlone: Set<Character> = ["c", "o", "s", "v", "w", "x", "z"]

    /// Abbreviations of three letters or more after whose period a sentence may go on.
    static let abbreviations: Set<String> = ["approx", "appt", "etc", "hrs", "wks", "yrs", "mos", "min", "max", "est", "dept", "inc"]

    /// Free text with such a letter capitalised where a sentence starts: the value's first letter and the
    /// first after a word of three or more letters that ends in ". ", "! " or "? " ("x-ray shows…" is
    /// "X-ray shows…"). After an abbreviation ("e.g.", "approx.", "mo.") a sentence may go on, so a shorter
    /// word, one with a period inside, or one of `abbreviations` ends none. Other letters keep their case.
    static func sentenceCased(_ value: String) -> String {
        var out = ""
        var sentenceStart = true
        var word = ""
        var endedSentence = false
        for ch in value {
            if ch == " " {
                if endedSentence { sentenceStart = true }
                endedSentence = false
                word = ""
                out.append(ch)
                continue
            }
            if sentenceStart, ch.isLetter {
                out.append(caseByShapeAlone.contains(ch) ? Character(ch.uppercased()) : ch)
            } else {
                out.append(ch)
            }
            if ch.isLetter || ch.isNumber { sentenceStart = false }
            if ".!?".contains(ch) {
                let letters = word.filter(\.isLetter)
                endedSentence = letters.count >= 3 && !word.contains(".") && !abbreviations.contains(letters.lowercased())
            } else {
                endedSentence = false
            }
            word.append(ch)
        }
        return out
    }

    /// Quote marks, bars and separators at the very start or end of a zone come from specks and rule
    /// ends, not from what the provider wrote: no field of the form starts with them, and only a
    /// period can end one (an abbreviation), never in a code or a number.
    static func trimmingStrayMarks(_ value: String, field: FieldSpec) -> String {
        let leading: Set<Character> = ["‘", "’", "'", "\"", "“", "”", "`", "|", ",", ".", ";", ":", "_", "~", "-", "—"]
        var trailing: Set<Character> = ["‘", "’", "'", "\"", "“", "”", "`", "|", ",", ";", ":", "_", "~", "—"]
        if field.validator != nil { trailing.insert(".") ; trailing.insert("-") }
        // Whole tokens of punctuation alone at either end are specks read as marks (". . .", " /").
        var tokens = value.split(separator: " ")
        let isMarks: (Substring) -> Bool = { !$0.contains { $0.isLetter || $0.isNumber } && !$0.contains("(") && !$0.contains(")") }
        while let last = tokens.last, isMarks(last) { tokens.removeLast() }
        while let first = tokens.first, isMarks(first) { tokens.removeFirst() }
        var chars = Substring(tokens.joined(separator: " "))
        // A phone number may open with a parenthesis; nothing else opens with punctuation.
        while let c = chars.first, leading.contains(c) { chars = chars.dropFirst() }
        while let c = chars.last, trailing.contains(c) { chars = chars.dropLast() }
        return chars.trimmingCharacters(in: .whitespaces)
    }

    public static func collapseWhitespace(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Runs `check`; if it fails, retries with common OCR confusions in digit positions fixed, and
    /// keeps the correction only when the corrected value passes.
    static func withCorrection(_ value: String, check: (String) -> ValidationOutcome) -> ValidationOutcome {
        let first = check(value)
        if first.valid { return first }
        let corrected = String(value.map { digitConfusions[$0] ?? $0 })
        guard corrected != value else { return first }
        var second = check(corrected)
        guard second.valid else { return first }
        second.issues.append(.correctedConfusion(read: value, as: corrected))
        return second
    }

    static func ok(_ value: String, _ normalized: String) -> ValidationOutcome {
        ValidationOutcome(value: value, normalized: normalized, valid: true, issues: [])
    }

    static func bad(_ value: String, _ issue: String) -> ValidationOutcome {
        ValidationOutcome(value: value, normalized: "", valid: false, issues: [.invalid(issue)])
    }

    static func date(_ value: String) -> ValidationOutcome {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let m = Int(parts[0]), let d = Int(parts[1]), let y = Int(parts[2]) else {
            return bad(value, "not a date in MM/DD/YYYY form")
        }
        guard (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y), (1900...2100).contains(y) else {
            return bad(value, "not a calendar date")
        }
        return ok(value, String(format: "%04d-%02d-%02d", y, m, d))
    }

    /// A date, where a month or day that is impossible as read becomes possible with a leading zero:
    /// fax fonts draw a dotted or slashed zero that OCR takes for an 8 or a 9.
    static func dateWithLeadingZero(_ value: String) -> ValidationOutcome {
        let first = date(value)
        guard !first.valid else { return first }
        var chars = Array(value)
        guard chars.count == 10 else { return first }
        // Month at 0–1, day at 3–4: change a leading 8 or 9 only where the part is impossible as read.
        for (position, allowed) in [(0, 1...12), (3, 1...31)] where "89".contains(chars[position]) {
            let asRead = Int(String(chars[position...(position + 1)])) ?? 0
            var trial = chars
            trial[position] = "0"
            let fixed = Int(String(trial[position...(position + 1)])) ?? 0
            if !allowed.contains(asRead), allowed.contains(fixed) { chars = trial }
        }
        let corrected = String(chars)
        guard corrected != value else { return first }
        var outcome = date(corrected)
        guard outcome.valid else { return first }
        outcome.issues.append(.correctedConfusion(read: value, as: corrected))
        return outcome
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ value: String, count: Int, what: String) -> ValidationOutcome {
        let compact = value.filter { !$0.isWhitespace }
        guard compact.allSatisfy(\.isASCIIDigit) else { return bad(value, "\(what) has characters other than digits") }
        guard compact.count == count else { return bad(value, "\(what) has \(compact.count) digits, expected \(count)") }
        return ok(compact, compact)
    }

    /// NPI: 10 digits whose Luhn check over the prefix 80840 plus the digits passes.
    static func npi(_ value: String) -> ValidationOutcome {
        let shape = digits(value, count: 10, what: "NPI")
        guard shape.valid else { return shape }
        guard luhnValid("80840" + shape.normalized) else { return bad(shape.value, "NPI fails its check digit") }
        return shape
    }

    static func luhnValid(_ digits: String) -> Bool {
        var sum = 0
        for (i, ch) in digits.reversed().enumerated() {
            guard var d = ch.wholeNumberValue else { return false }
            if i % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }

    /// A phone number with one separator lost or turned into a space, where the other separator shows
    /// what the writer used: 846.420 7746 → 846.420.7746, (572) 901 6555 → (572) 901-6555.
    static func phoneWithRepairedSeparator(_ value: String) -> ValidationOutcome {
        // An opening parenthesis read as a 1, l or bar: "1484) 793-0050" is "(484) 793-0050".
        if value.range(of: #"^[1lI|]\d{3}\) ?\d{3}[ .-]?\d{4}$"#, options: .regularExpression) != nil {
            let repaired = "(" + value.dropFirst()
            var outcome = phone(repaired)
            outcome.issues.append(.correctedConfusion(read: value, as: repaired))
            return outcome
        }
        let first = phone(value)
        guard first.valid else { return first }
        let d = value.filter(\.isASCIIDigit)
        guard d.count == 10 else { return first }
        let a = d.prefix(3), b = d.dropFirst(3).prefix(3), c = d.suffix(4)
        var repaired: String?
        if value.range(of: #"^\d{3}([.-])\d{3} \d{4}$"#, options: .regularExpression) != nil {
            let sep = value[value.index(value.startIndex, offsetBy: 3)]
            repaired = "\(a)\(sep)\(b)\(sep)\(c)"
        } else if value.range(of: #"^\d{3} \d{3}([.-])\d{4}$"#, options: .regularExpression) != nil {
            let sep = value[value.index(value.startIndex, offsetBy: 7)]
            repaired = "\(a)\(sep)\(b)\(sep)\(c)"
        } else if value.range(of: #"^\(\d{3}\) \d{3} \d{4}$"#, options: .regularExpression) != nil {
            repaired = "(\(a)) \(b)-\(c)"
        }
        guard let repaired, repaired != value else { return first }
        var outcome = phone(repaired)
        outcome.issues.append(.restoredSeparator(read: value, as: repaired))
        return outcome
    }

    static func phone(_ value: String) -> ValidationOutcome {
        guard value.allSatisfy({ $0.isASCIIDigit || "()-. +".contains($0) }) else {
            return bad(value, "phone number has unexpected characters")
        }
        var d = value.filter(\.isASCIIDigit)
        if d.count == 11, d.hasPrefix("1") { d.removeFirst() }
        guard d.count == 10 else { return bad(value, "phone number has \(d.count) digits, expected 10") }
        // Parentheses, where there are any, close around the area code: a lone one is a misread.
        guard value.range(of: #"^(\+?1[ .-]?)?(\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$"#, options: .regularExpression) != nil else {
            return bad(value, "phone number is not written as a phone number")
        }
        let a = d.prefix(3), b = d.dropFirst(3).prefix(3), c = d.suffix(4)
        return ok(value, "\(a)-\(b)-\(c)")
    }

    static func tin(_ value: String) -> ValidationOutcome {
        guard value.allSatisfy({ $0.isASCIIDigit || $0 == "-" }) else { return bad(value, "TIN has unexpected characters") }
        let d = value.filter(\.isASCIIDigit)
        guard d.count == 9 else { return bad(value, "TIN has \(d.count) digits, expected 9") }
        return ok(value, "\(d.prefix(2))-\(d.suffix(7))")
    }

    static func integer(_ value: String) -> ValidationOutcome {
        guard value.allSatisfy(\.isASCIIDigit), let n = Int(value), n >= 0, n < 100_000 else {
            return bad(value, "not a whole number")
        }
        return ok(value, String(n))
    }

    /// ICD-10-CM: a letter, two characters (digit, digit-or-letter), then optionally a dot and 1–4 more.
    static func icd10(_ value: String) -> ValidationOutcome {
        let pattern = #"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"#
        if value.range(of: pattern, options: .regularExpression) != nil { return ok(value, value) }
        // OCR confusions: the first character is a letter, the second a digit.
        var chars = Array(value.uppercased())
        if chars.count >= 3 {
            let letterFor: [Character: Character] = ["0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"]
            if let l = letterFor[chars[0]] { chars[0] = l }
            if let d = digitConfusions[chars[1]] { chars[1] = d }
            let corrected = String(chars)
            if corrected != value, corrected.range(of: pattern, options: .regularExpression) != nil {
                return ValidationOutcome(value: corrected, normalized: corrected, valid: true,
                                         issues: [.correctedConfusion(read: value, as: corrected)])
            }
        }
        return bad(value, "not an ICD-10-CM code")
    }

    /// CPT: five digits, or four digits and F/T/U; HCPCS Level II: a letter and four digits.
    static func cptHCPCS(_ value: String) -> ValidationOutcome {
        // CPT: five digits, or four and F/T/U (categories II and III). HCPCS Level II: the letters CMS uses, and four digits.
        let pattern = #"^([0-9]{4}[0-9FTU]|[ABCDEGHJKLMPQRSTUV][0-9]{4})$"#
        if value.range(of: pattern, options: .regularExpression) != nil { return ok(value, value) }
        let chars = Array(value.uppercased())
        if chars.count == 5 {
            // If it starts with a digit, all five should be digits (save a CPT II/III suffix). A letter that
            // opens HCPCS Level II codes (G0151, B4035, S9123) is kept as read: only those that open none
            // (O, I, Z) are digits misread.
            let fixed: [Character] = chars.enumerated().map { i, c in
                if i == 0 { return c.isLetter && !"OIZ".contains(c) ? c : (digitConfusions[c] ?? c) }
                return i == 4 && "FTU".contains(c) ? c : (digitConfusions[c] ?? c)
            }
            let corrected = String(fixed)
            if corrected != value, corrected.range(of: pattern, options: .regularExpression) != nil {
                return ValidationOutcome(value: corrected, normalized: corrected, valid: true,
                                         issues: [.correctedConfusion(read: value, as: corrected)])
            }
        }
        return bad(value, "not a CPT or HCPCS code")
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
