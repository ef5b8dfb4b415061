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
        #expect(name.issues.contains(.lowConfidence))
    }
}

/// The second model: consulted only where the first is unsure, and a value both read settles the field.
@Suite struct SecondOpinionTests {
    static let digits = "0123456789"
    static let dates = "0123456789/"

    @Test func agreementSettlesAnUnsureFieldAndDisagreementGoesToReview() throws {
        let first = ScriptedRecognizer([
            Self.digits: RecognizedText(text: "1234567893", confidence: 0.99, wordConfidences: [0.99]),
            Self.dates: RecognizedText(text: "03/05/2076", confidence: 0.88, wordConfidences: [0.88]),
        ])
        let second = ScriptedRecognizer([
            Self.digits: RecognizedText(text: "1234567893", confidence: 0.97, wordConfidences: [0.97]),
            Self.dates: RecognizedText(text: "03/05/2026", confidence: 0.96, wordConfidences: [0.96]),
        ])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: first, secondOpinion: second)
        let document = try DocumentDecoder().decode(path: Fixtures.corpus("0002.tif"))
        let result = try extractor.extract(document)
        // The first model was sure of the NPI: the second never read it, nor anything else sure.
        let npi = try #require(result.fields["requesting_provider_npi"])
        #expect(npi.value == "1234567893" && !npi.needsReview)
        // Dates: unsure at first, then each model reads its own value every time; neither is agreed, so
        // the better-supported one is reported and sent to review.
        let date = try #require(result.fields["service_start_date"])
        #expect(date.value == "03/05/2026")
        #expect(date.needsReview)
        #expect(second.calls < first.calls)

        second.answers[Self.dates] = RecognizedText(text: "03/05/2076", confidence: 0.95, wordConfidences: [0.95])
        let agreed = try extractor.extract(document)
        let settled = try #require(agreed.fields["service_start_date"])
        #expect(settled.value == "03/05/2076")
        #expect(settled.confidence == 0.95 && !settled.needsReview)
    }
}
