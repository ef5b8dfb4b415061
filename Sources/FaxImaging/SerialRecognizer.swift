import Dispatch

/// One recognizer shared by several workers: each call runs on its own serial queue, so the engine's
/// handle stays on one queue while the workers take turns.
///
/// For a model consulted now and then (the second opinion on unsure fields), sharing one engine saves
/// a model's memory per worker at the cost of a short wait when two workers need it at once.
public final class SerialRecognizer: TextRecognizer, @unchecked Sendable {
    // @unchecked: `engine` is touched only on `queue`, which serialises every call.
    private let engine: TextRecognizer
    private let queue: DispatchQueue

    public init(_ engine: TextRecognizer, label: String = "faxintake.ocr.shared") {
        self.engine = engine
        self.queue = DispatchQueue(label: label)
    }

    public func recognize(_ image: GrayImage, options: RecognitionOptions) throws(RecognitionError) -> RecognizedText {
        let result: Result<RecognizedText, RecognitionError> = queue.sync {
            do throws(RecognitionError) { return .success(try engine.recognize(image, options: options)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
