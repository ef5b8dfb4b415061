/// How a zone should be read: its layout and the characters it may hold.
public struct RecognitionOptions: Sendable, Hashable {
    /// The zone's layout.
    public enum Layout: Sendable, Hashable {
        case singleLine
        case singleWord
        case block
    }

    public var layout: Layout
    /// Characters the engine may return; nil allows all.
    public var allowedCharacters: String?
    /// Resolution of the image handed to the engine, in pixels per inch.
    public var resolution: Int

    public init(layout: Layout = .singleLine, allowedCharacters: String? = nil, resolution: Int = 300) {
        self.layout = layout
        self.allowedCharacters = allowedCharacters
        self.resolution = resolution
    }
}

/// Text read from an image, with the engine's confidence for the whole and for each word.
public struct RecognizedText: Sendable, Equatable {
    public var text: String
    /// Mean confidence, 0–1.
    public var confidence: Double
    /// Confidence of each word, 0–1, in reading order.
    public var wordConfidences: [Double]

    public init(text: String, confidence: Double, wordConfidences: [Double]) {
        self.text = text
        self.confidence = confidence
        self.wordConfidences = wordConfidences
    }
}

/// An OCR engine. One instance is used by one thread at a time; make one per worker.
public protocol TextRecognizer: AnyObject {
    func recognize(_ image: GrayImage, options: RecognitionOptions) throws(RecognitionError) -> RecognizedText
}

/// Why recognition failed.
public enum RecognitionError: Error, Sendable, Equatable, CustomStringConvertible {
    case engineUnavailable(String)
    case failed(String)

    public var description: String {
        switch self {
        case .engineUnavailable(let why): return "OCR engine unavailable: \(why)"
        case .failed(let why): return "OCR failed: \(why)"
        }
    }
}
