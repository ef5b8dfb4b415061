/// How a diagnosis narrative compares with a code's description.
public enum NarrativeAgreement: String, Sendable, Hashable {
    case agrees
    case disagrees
    /// No narrative was read (or it has no key words).
    case noNarrative = "no_narrative"
    /// The code is not in the code set, so there is no description to compare with.
    case noDescription = "no_description"
}

/// Where a read diagnosis code stands in ICD-10-CM.
public enum DiagnosisStatus: String, Sendable, Hashable {
    case billable
    /// A category or subcategory with child codes (e.g. "R26"): a claim needs a leaf.
    case notBillable = "not_billable"
    /// Not a code of the set (a chapter or block range is not a code either).
    case unknown
    case notRead = "not_read"
}

/// The result of checking one diagnosis code.
public struct DiagnosisResult: Sendable, Equatable {
    /// The code as it should be stored: the set's dotted form, the correction when one was made, or the read.
    public var code: String
    public var status: DiagnosisStatus
    /// The code as read, when the code above replaces it.
    public var correctedFrom: String?
    public var description: String?
    public var narrative: NarrativeAgreement
    /// Other billable codes the read could be, when a correction was not unique or not supported by the narrative.
    public var candidates: [String]

    /// For the field's issues: "diagnosis code corrected from ICD-10-CM (R2G.81 → R26.81)".
    public var correctionNote: String? {
        correctedFrom.map { "diagnosis code corrected from ICD-10-CM (\($0) → \(code))" }
    }
}

/// Checks a read diagnosis code against ICD-10-CM and the form's narrative. A code that is not a billable
/// code is corrected only when exactly one OCR-confusion variant (`OCRConfusions.lettersAndDigits`, any
/// number of positions; a missing dot never matters) is a billable code and its description agrees with
/// the narrative, or no narrative is given to judge by.
public struct DiagnosisCheck: Sendable {
    public let codeSet: ICD10CM

    /// Words that carry no meaning for the comparison.
    static let stopWords: Set<String> = [
        "a", "an", "and", "as", "at", "by", "due", "for", "from", "in", "into", "of", "on", "or", "the", "to",
        "with", "without", "other", "unspecified", "specified", "not", "elsewhere", "classified", "nos", "type",
        "site", "part", "patient", "history", "hx", "dx", "s", "p",
    ]
    /// Sides: a narrative that names one the description does not (or names the other) disagrees.
    static let laterality: Set<String> = ["right", "left", "bilateral"]

    public init(codeSet: ICD10CM) {
        self.codeSet = codeSet
    }

    public func check(code read: String?, narrative: String?) -> DiagnosisResult {
        let readCode = (read ?? "").trimmingBlanks()
        guard !readCode.isEmpty else {
            return DiagnosisResult(code: "", status: .notRead, correctedFrom: nil, description: nil,
                                   narrative: .noDescription, candidates: [])
        }
        if let found = codeSet.code(readCode), found.isBillable {
            return DiagnosisResult(code: found.code, status: .billable, correctedFrom: nil, description: found.description,
                                   narrative: DiagnosisCheck.compare(narrative: narrative, description: found.description), candidates: [])
        }
        // Not a billable code as read: which confusion variants are?
        let billable = DiagnosisCheck.variants(of: ICD10CM.key(readCode))
            .compactMap { codeSet.code($0) }
            .filter(\.isBillable)
        // Supported: the narrative agrees, or there is none to judge by (a second or third code, which the
        // narrative does not describe): then the one billable variant is taken, for a person to confirm.
        let supported = billable.filter {
            let agreement = DiagnosisCheck.compare(narrative: narrative, description: $0.description)
            return agreement == .agrees || agreement == .noNarrative
        }
        if billable.count == 1, supported.count == 1 {
            let c = supported[0]
            return DiagnosisResult(code: c.code, status: .billable, correctedFrom: readCode, description: c.description,
                                   narrative: .agrees, candidates: [])
        }
        let found = codeSet.code(readCode)
        return DiagnosisResult(code: found?.code ?? readCode, status: found == nil ? .unknown : .notBillable, correctedFrom: nil,
                               description: found?.description,
                               narrative: found.map { DiagnosisCheck.compare(narrative: narrative, description: $0.description) } ?? .noDescription,
                               candidates: billable.map(\.code))
    }

    /// Every string made by swapping any of the confusable characters of `key` (the read itself excluded).
    static func variants(of key: String) -> [String] {
        var results: [[Character]] = [[]]
        for c in key {
            if let other = OCRConfusions.lettersAndDigits[c] {
                results = results.flatMap { [$0 + [c], $0 + [other]] }
            } else {
                results = results.map { $0 + [c] }
            }
            if results.count > 4_096 { break }  // a garbled read; no code is that long
        }
        return results.map { String($0) }.filter { $0 != key }
    }

    /// Agrees when at least two thirds of the narrative's key words (not stop-words) are in the description —
    /// equal, or one letter off in words of five letters or more, so OCR slips in the narrative are forgiven —
    /// and it names no side (right/left/bilateral) the description lacks.
    public static func compare(narrative: String?, description: String) -> NarrativeAgreement {
        let said = keyWords(narrative ?? "")
        guard !said.isEmpty else { return .noNarrative }
        let described = keyWords(description)
        func found(_ word: String) -> Bool {
            described.contains { $0 == word || ($0.count >= 5 && PersonName.similar(read: Array(word), roster: Array($0))) }
        }
        for side in laterality where said.contains(side) && !described.contains(side) { return .disagrees }
        let hits = said.filter(found).count
        return hits * 3 >= said.count * 2 ? .agrees : .disagrees
    }

    static func keyWords(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { !stopWords.contains($0) }
    }
}
