/// Thresholds for extraction; a pipeline file sets them, these are the defaults.
public struct ExtractionPolicy: Sendable, Equatable, Codable {
    /// A field read with lower confidence than this needs review.
    public var reviewBelowConfidence: Double
    /// Ink share inside a checkbox above which it counts as marked.
    public var checkboxMarkedAbove: Double
    /// Ink share below which a checkbox is surely empty; between the two, the box needs review.
    public var checkboxEmptyBelow: Double
    /// Resolution zones are resampled to for OCR, in pixels per inch.
    public var ocrDPI: Double
    /// With a calibration, a key field whose chance of being right is lower than this needs review.
    public var targetAccuracy: Double

    public init(reviewBelowConfidence: Double = 0.93, checkboxMarkedAbove: Double = 0.10,
                checkboxEmptyBelow: Double = 0.04, ocrDPI: Double = 300, targetAccuracy: Double = 0.998) {
        self.reviewBelowConfidence = reviewBelowConfidence
        self.checkboxMarkedAbove = checkboxMarkedAbove
        self.checkboxEmptyBelow = checkboxEmptyBelow
        self.ocrDPI = ocrDPI
        self.targetAccuracy = targetAccuracy
    }

    /// The confidence a field must reach to pass: the target accuracy for a key field, the review
    /// threshold for context.
    public func threshold(for importance: FieldImportance) -> Double {
        importance == .key ? targetAccuracy : reviewBelowConfidence
    }

    enum CodingKeys: String, CodingKey {
        case reviewBelowConfidence = "review_below_confidence"
        case checkboxMarkedAbove = "checkbox_marked_above"
        case checkboxEmptyBelow = "checkbox_empty_below"
        case ocrDPI = "ocr_dpi"
        case targetAccuracy = "target_accuracy"
    }
}
