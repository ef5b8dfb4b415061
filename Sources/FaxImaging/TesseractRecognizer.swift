import CTesseract
import Foundation

/// Owns one `TessBaseAPI*`, initialised once and reused for every zone; ended in `deinit`.
///
/// Not thread-safe, like tesseract itself: keep one per worker thread or serial queue.
public final class TesseractRecognizer: TextRecognizer {
    private let handle: OpaquePointer
    private var currentWhitelist: String?
    private var currentMode: TessPageSegMode?

    /// Loads the language model (about 0.1 s); `dataPath` nil uses the system's tessdata.
    public init(language: String = "eng", dataPath: String? = nil) throws(RecognitionError) {
        guard let api = TessBaseAPICreate() else { throw .engineUnavailable("TessBaseAPICreate failed") }
        omp_set_num_threads(1)
        guard TessBaseAPIInit2(api, dataPath, language, OEM_LSTM_ONLY) == 0 else {
            TessBaseAPIDelete(api)
            throw .engineUnavailable("cannot load the '\(language)' model; is tesseract-ocr-\(language) installed?")
        }
        // Zones are tiny: no dictionary guesses for codes and numbers, and no inverted-text pass.
        _ = TessBaseAPISetVariable(api, "load_system_dawg", "0")
        _ = TessBaseAPISetVariable(api, "load_freq_dawg", "0")
        _ = TessBaseAPISetVariable(api, "tessedit_do_invert", "0")
        _ = TessBaseAPISetVariable(api, "debug_file", "/dev/null")
        handle = api
    }

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    public func recognize(_ image: GrayImage, options: RecognitionOptions) throws(RecognitionError) -> RecognizedText {
        guard image.width > 0, image.height > 0 else { return RecognizedText(text: "", confidence: 0, wordConfidences: []) }
        // The OpenMP thread count belongs to the calling thread, and workers may move between threads.
        omp_set_num_threads(1)
        let mode: TessPageSegMode
        switch options.layout {
        case .singleLine: mode = PSM_SINGLE_LINE
        case .singleWord: mode = PSM_SINGLE_WORD
        case .block: mode = PSM_SINGLE_BLOCK
        }
        if currentMode != mode {
            TessBaseAPISetPageSegMode(handle, mode)
            currentMode = mode
        }
        let whitelist = options.allowedCharacters ?? ""
        if currentWhitelist != whitelist {
            _ = TessBaseAPISetVariable(handle, "tessedit_char_whitelist", whitelist)
            currentWhitelist = whitelist
        }
        image.pixels.withUnsafeBufferPointer { buffer in
            TessBaseAPISetImage(handle, buffer.baseAddress, Int32(image.width), Int32(image.height), 1, Int32(image.width))
        }
        TessBaseAPISetSourceResolution(handle, Int32(options.resolution))
        guard TessBaseAPIRecognize(handle, nil) == 0 else {
            TessBaseAPIClear(handle)
            throw .failed("tesseract could not recognise a \(image.width)×\(image.height) zone")
        }
        var text = ""
        if let raw = TessBaseAPIGetUTF8Text(handle) {
            text = String(cString: raw)
            TessDeleteText(raw)
        }
        let mean = Double(TessBaseAPIMeanTextConf(handle)) / 100
        var words: [Double] = []
        if let confidences = TessBaseAPIAllWordConfidences(handle) {
            var i = 0
            while confidences[i] != -1 {
                words.append(Double(confidences[i]) / 100)
                i += 1
            }
            TessDeleteIntArray(confidences)
        }
        TessBaseAPIClear(handle)
        return RecognizedText(text: text, confidence: max(0, mean), wordConfidences: words)
    }
}
