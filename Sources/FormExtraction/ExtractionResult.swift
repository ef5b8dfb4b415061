/// One field as read: raw value, normalised value, confidence and whether a person must check it.
public struct FieldReading: Sendable, Equatable, Codable {
    public var value: String
    public var normalized: String
    /// 0–1.
    public var confidence: Double
    public var valid: Bool
    public var needsReview: Bool
    public var issues: [String]

    public init(value: String, normalized: String, confidence: Double, valid: Bool, needsReview: Bool, issues: [String]) {
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

/// A checkbox group as read: the selected option values.
public struct CheckboxReading: Sendable, Equatable, Codable {
    public var selected: [String]
    public var confidence: Double
    public var needsReview: Bool
    /// "none" or "several" where a one-of group is not exactly one; nil otherwise.
    public var problem: String?
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
    /// How the values were obtained: "acroform", "ocr", or "none" when no form was found.
    public var method: String
    /// Time spent, for profiling; not part of the extraction's meaning.
    public var timings = ExtractionTimings()

    /// Fields that need a person: low confidence, invalid, or required and empty.
    public var fieldsNeedingReview: [String] { fields.filter { $0.value.needsReview }.map(\.key).sorted() }
}
