import FaxImaging
import Foundation
import Testing
@testable import FormExtraction

/// An in-memory recognizer: answers by the characters a zone may hold, so the extractor's own logic
/// (review flags, validation, corrections) is tested without tesseract's variability.
final class ScriptedRecognizer: TextRecognizer {
    var answers: [String?: RecognizedText]
    private(set) var calls = 0

    init(_ answers: [String?: RecognizedText]) { self.answers = answers }

    func recognize(_ image: GrayImage, options: RecognitionOptions) throws(RecognitionError) -> RecognizedText {
        calls += 1
        return answers[options.allowedCharacters] ?? RecognizedText(text: "", confidence: 0, wordConfidences: [])
    }
}

@Suite struct ScriptedRecognizerTests {
    @Test func lowConfidenceAndInvalidValuesNeedReview() throws {
        let digits = "0123456789"
        let recognizer = ScriptedRecognizer([
            digits: RecognizedText(text: "1234567893", confidence: 0.99, wordConfidences: [0.99]),
            "0123456789/": RecognizedText(text: "02/30/2026", confidence: 0.99, wordConfidences: [0.99]),
            FormExtractor.allowedCharacters(for: try #require(Fixtures.form.template.field(named: "member_name"))):
                RecognizedText(text: "Smith, Jane", confidence: 0.55, wordConfidences: [0.55]),
        ])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: recognizer)
        let document = try DocumentDecoder().decode(path: Fixtures.corpus("0002.tif"))
        let result = try extractor.extract(document)
        #expect(recognizer.calls > 0)
        // Blank zones never reach the recognizer; a filled one is read at most five ways.
        let truth = try DocumentTruth.load(Fixtures.corpus("0002.truth.json"))
        let filled = truth.fields.values.filter { !$0.isEmpty }.count
        #expect(recognizer.calls <= 5 * filled)
        let npi = try #require(result.fields["requesting_provider_npi"])
        #expect(npi.valid && !npi.needsReview)
        let date = try #require(result.fields["service_start_date"])
        #expect(!date.valid && date.needsReview)
        let name = try #require(result.fields["member_name"])
        #expect(name.needsReview)
        #expect(name.issues.contains("low OCR confidence"))
    }
}
