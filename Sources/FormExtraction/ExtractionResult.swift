/// Why a field reading needs a person, or what the machine changed in it. Shown and stored as its sentence.
public enum FieldIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    case requiredEmpty
    /// The value breaks its validator's rule; the payload says which rule.
    case invalid(String)
    case lowConfidence
    /// A common OCR confusion (O for 0, I for 1, …) fixed because the fixed value passes its rule.
    case correctedConfusion(read: String, as: String)
    /// A phone number's separator that OCR lost, restored from the others.
    case restoredSeparator(read: String, as: String)
    /// A misread word in a name or free text replaced from the word list.
    case repairedWord(read: String, as: String)
    case noFormPage

    public var description: String {
        switch self {
        case .requiredEmpty: return "required field is empty"
        case .invalid(let rule): return rule
        case .lowConfidence: return "low OCR confidence"
        case .correctedConfusion(let read, let fixed): return "corrected OCR confusion: '\(read)' read as '\(fixed)'"
        case .restoredSeparator(let read, let fixed): return "restored a separator OCR lost: '\(read)' read as '\(fixed)'"
        case .repairedWord(let read, let fixed): return "corrected from the word list: '\(read)' read as '\(fixed)'"
        case .noFormPage: return "no form page found"
        }
    }

    /// Encoded as its sentence, the form `extract --json` and the queue have always shown.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = Self.parse(text)
    }

    /// The issue a sentence describes; a sentence of no known kind is a validator's rule.
    static func parse(_ text: String) -> FieldIssue {
        for simple in [FieldIssue.requiredEmpty, .lowConfidence, .noFormPage] where simple.description == text { return simple }
        let pairs: [(String, (String, String) -> FieldIssue)] = [
            ("corrected OCR confusion: ", { .correctedConfusion(read: $0, as: $1) }),
            ("restored a separator OCR lost: ", { .restoredSeparator(read: $0, as: $1) }),
            ("corrected from the word list: ", { .repairedWord(read: $0, as: $1) }),
        ]
        for (prefix, make) in pairs where text.hasPrefix(prefix) {
            let rest = text.dropFirst(prefix.count)
            if let middle = rest.range(of: "' read as '"), rest.hasPrefix("'"), rest.hasSuffix("'") {
                return make(String(rest[rest.index(after: rest.startIndex)..<middle.lowerBound]),
                            String(rest[middle.upperBound..<rest.index(before: rest.endIndex)]))
            }
        }
        return .invalid(text)
    }
}

/// One field as read: raw value, normalised value, confidence and whether a person must check it.
public struct FieldReading: Sendable, Equatable, Codable {
    public var value: String
    public var normalized: String
    /// 0–1.
    public var confidence: Double
    public var valid: Bool
    public var needsReview: Bool
    public var issues: [FieldIssue]

    public init(value: String, normalized: String, confidence: Double, valid: Bool, needsReview: Bool, issues: [FieldIssue]) {
        self.value = value
        self.normalized = normalized
        self.confidence = confidence
        self.valid = valid
        self.needsReview = needsReview
        self.issues = issues
    }

    enum CodingKeys: String, CodingKey {
        case value, normalized, confidence, valid, issues
        case needsReview = "needs_review"
    }
}

/// Why a one-of checkbox group was not read as exactly one box.
public enum CheckboxProblem: String, Sendable, Equatable, Codable {
    case none
    case several
}

/// How a request's values were obtained.
public enum ExtractionMethod: String, Sendable, Equatable, Codable {
    /// From a fillable PDF's form fields, exactly.
    case acroform
    /// Read from the form page's image.
    case ocr
    /// No form page was found: nothing read.
    case none
}

/// A checkbox group as read: the selected option values.
public struct CheckboxReading: Sendable, Equatable, Codable {
    public var selected: [String]
    public var confidence: Double
    public var needsReview: Bool
    /// Set where a one-of group is not exactly one box; nil otherwise.
    public var problem: CheckboxProblem?
    /// Ink share inside each box, by option value: what the decision was made from.
    public var marks: [String: Double]

    enum CodingKeys: String, CodingKey {
        case selected, confidence, problem, marks
        case needsReview = "needs_review"
    }
}

/// Where the form was found in the document.
public struct FormLocation: Sendable, Equatable, Codable {
    public var id: String
    public var revision: String
    /// 1-based page number.
    public var page: Int
    /// Degrees the page must be turned to read upright: 0 or 180.
    public var rotation: Int
    public var skewDeg: Double

    enum CodingKeys: String, CodingKey {
        case id, revision, page, rotation
        case skewDeg = "skew_deg"
    }
}

/// Where extraction spent its time on one document, in seconds: for the benchmark's stage profile.
public struct ExtractionTimings: Sendable, Equatable, Codable {
    /// Finding skew and section bars on each page.
    public var classify = 0.0
    /// Matching bars to the template.
    public var register = 0.0
    /// Reading the fields and checkboxes of the form page.
    public var ocr = 0.0

    public init() {}
}

/// What extraction produced for one document: every field and group of the map is present.
public struct ExtractionResult: Sendable, Equatable, Codable {
    public var file: String
    public var pages: Int
    public var form: FormLocation?
    public var fields: [String: FieldReading]
    public var checkboxes: [String: CheckboxReading]
    /// How the values were obtained.
    public var method: ExtractionMethod
    /// Time spent, for profiling; not part of the extraction's meaning.
    public var timings = ExtractionTimings()

    /// Fields that need a person: low confidence, invalid, or required and empty.
    public var fieldsNeedingReview: [String] { fields.filter { $0.value.needsReview }.map(\.key).sorted() }
}
