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
    /// A word in a name or free text that is in no word list and that no listed word explains: a misread
    /// the repair could not place ("Ottice", "NSALDs"), or a rare word; either way a person reads it.
    case unknownWord(String)
    case noFormPage

    public var description: String {
        switch self {
        case .requiredEmpty: return "required field is empty"
        case .invalid(let rule): return rule
        case .lowConfidence: return "low OCR confidence"
        case .correctedConfusion(let read, let fixed): return "corrected OCR confusion: '\(read)' read as '\(fixed)'"
        case .restoredSeparator(let read, let fixed): return "restored a separator OCR lost: '\(read)' read as '\(fixed)'"
        case .repairedWord(let read, let fixed): return "corrected from the word list: '\(read)' read as '\(fixed)'"
        case .unknownWord(let word): return "not in the word list: '\(word)'"
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
        let unknown = "not in the word list: '"
        if text.hasPrefix(unknown), text.hasSuffix("'"), text.count > unknown.count {
            return .unknownWord(String(text.dropFirst(unknown.count).dropLast()))
        }
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

/// What the reading loop knew when it settled on a value: the signals a calibration turns into the chance it is right.
public struct ReadingEvidence: Sendable, Equatable, Codable {
    /// The chosen value's own engine confidence, 0–1, before the validity cap and the ballot's share scaling.
    public var rawConfidence: Double
    /// How many models read the field (0 for an empty zone, which no model reads).
    public var models: Int
    /// Every model that read the field read this value.
    public var agreed: Bool
    /// This value's part of the ballot's summed confidence, 0–1.
    public var share: Double
    public var valid: Bool
    /// A validator's confusion correction or a word-list repair changed what the engine read.
    public var corrected: Bool
    public var empty: Bool
    /// How many readings were taken, by all models.
    public var readings: Int
    public var type: FieldType

    public init(rawConfidence: Double, models: Int, agreed: Bool, share: Double, valid: Bool, corrected: Bool,
                empty: Bool, readings: Int, type: FieldType) {
        self.rawConfidence = rawConfidence
        self.models = models
        self.agreed = agreed
        self.share = share
        self.valid = valid
        self.corrected = corrected
        self.empty = empty
        self.readings = readings
        self.type = type
    }

    /// Two or more models read the field and all read this value.
    public var agreedByTwo: Bool { models >= 2 && agreed }
    /// Two or more models read the field and not all read this value.
    public var modelsDisagree: Bool { models >= 2 && !agreed }

    enum CodingKeys: String, CodingKey {
        case models, agreed, share, valid, corrected, empty, readings, type
        case rawConfidence = "raw_confidence"
    }
}

/// One field as read: raw value, normalised value, confidence and whether a person must check it.
public struct FieldReading: Sendable, Equatable, Codable {
    public var value: String
    public var normalized: String
    /// 0–1: with a calibration, the chance the value is right; without, the engine's confidence.
    public var confidence: Double
    public var valid: Bool
    public var needsReview: Bool
    public var issues: [FieldIssue]
    /// How the value was arrived at. Not encoded: `extract --json` and the queue keep their shape, and
    /// a reading read back from the queue has the evidence its own fields imply.
    public var evidence: ReadingEvidence

    public init(value: String, normalized: String, confidence: Double, valid: Bool, needsReview: Bool, issues: [FieldIssue],
                evidence: ReadingEvidence? = nil) {
        self.value = value
        self.normalized = normalized
        self.confidence = confidence
        self.valid = valid
        self.needsReview = needsReview
        self.issues = issues
        self.evidence = evidence ?? ReadingEvidence(rawConfidence: confidence, models: 0, agreed: true, share: 1, valid: valid,
                                                    corrected: false, empty: value.isEmpty, readings: 0, type: .text)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(value: try c.decode(String.self, forKey: .value), normalized: try c.decode(String.self, forKey: .normalized),
                  confidence: try c.decode(Double.self, forKey: .confidence), valid: try c.decode(Bool.self, forKey: .valid),
                  needsReview: try c.decode(Bool.self, forKey: .needsReview), issues: try c.decode([FieldIssue].self, forKey: .issues))
    }

    /// The same reading: what was read and decided, not how (the evidence is not stored, so a reading
    /// read back from the queue equals the one written).
    public static func == (a: FieldReading, b: FieldReading) -> Bool {
        a.value == b.value && a.normalized == b.normalized && a.confidence == b.confidence && a.valid == b.valid
            && a.needsReview == b.needsReview && a.issues == b.issues
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
    /// How far, in points, the form's section bars lie from where the registration puts them (mean over
    /// matched bar edges); nil when the form was not registered from an image (a fillable PDF's values).
    public var residualPt: Double?

    public init(id: String, revision: String, page: Int, rotation: Int, skewDeg: Double, residualPt: Double? = nil) {
        self.id = id
        self.revision = revision
        self.page = page
        self.rotation = rotation
        self.skewDeg = skewDeg
        self.residualPt = residualPt
    }

    enum CodingKeys: String, CodingKey {
        case id, revision, page, rotation
        case skewDeg = "skew_deg", residualPt = "residual_pt"
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
    /// Only when reading to calibrate: each field as the first model first read it, with the evidence the
    /// early stop judges. Not encoded.
    public var firstReadings: [String: FieldReading] = [:]

    enum CodingKeys: String, CodingKey { case file, pages, form, fields, checkboxes, method, timings }

    /// Fields that need a person: low confidence, invalid, or required and empty.
    public var fieldsNeedingReview: [String] { fields.filter { $0.value.needsReview }.map(\.key).sorted() }
}
