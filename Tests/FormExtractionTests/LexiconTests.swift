import Testing
@testable import FormExtraction

/// The word list repairs fax-damaged words and leaves alone what it cannot be sure of.
@Suite struct LexiconTests {
    static let english: Lexicon = {
        do { return try Lexicon.load(path: Fixtures.packageRoot.appendingPathComponent("Pipelines/word-lists/english.txt").path) } catch {
            preconditionFailure("the bundled word list must load: \(error)")
        }
    }()

    @Test func repairsTypicalFaxDamage() {
        let (text, changes) = Self.english.corrected("Inpatient hespital, by protgcol (see Ofice)")
        #expect(text == "Inpatient hospital, by protocol (see Office)")
        #expect(changes.map(\.0) == ["hespital", "protgcol", "Ofice"])
    }

    @Test func keepsCapitalisation() {
        #expect(Self.english.corrected("Nquyen").text == "Nguyen")
    }

    @Test func leavesWhatItCannotBeSureOf() {
        // Two plain edits from a listed word: an unlisted word, not a misreading.
        #expect(Self.english.corrected("Unsteadiness on feet").changes.isEmpty)
        // Acronyms, mixed case, short words, codes and words glued to digits.
        for text in ["ABA BMI AHI", "McDonald", "hys", "J1745 25hrs M17.12", "comorbid hypertension"] {
            #expect(Self.english.corrected(text).text == text, "\(text)")
        }
    }

    @Test func namesTheWordsNoListKnows() {
        let lexicon = Self.english
        #expect(lexicon.unknownWords(in: "Ottice") == ["Ottice"])
        #expect(lexicon.unknownWords(in: "conservative therapy including PT and NSALDs.") == ["NSALDs"])
        #expect(lexicon.unknownWords(in: "Obstructive s eep apnea") == ["eep"])
        // Acronyms, short words, words glued to digits and known words in any case are not judged.
        #expect(lexicon.unknownWords(in: "25 hrs/week ABA, 6mo, MRI of the KNEE, Office") == [])
    }

    @Test func anUnknownWordIsAnIssueThatRoundTrips() throws {
        let issue = FieldIssue.unknownWord("Ottice")
        #expect(issue.description == "not in the word list: 'Ottice'")
        #expect(FieldIssue.parse(issue.description) == issue)
    }

    @Test func emptyListIsAnError() {
        #expect(throws: ExtractionError.self) { try Lexicon.load(path: "/dev/null") }
    }
}
