import Foundation
import Testing
@testable import FormExtraction

/// The word list repairs fax-damaged words and leaves alone what it cannot be sure of.
@Suite struct LexiconTests {
    /// The shipped pipeline's lists (scripts/setup.sh installs them).
    static let english: Lexicon = {
        do {
            return try Lexicon.load(paths: ["/usr/share/dict/american-english-large", "/usr/share/hunspell/en_med_glut.dic"],
                                    names: ["Nguyen", "Okafor", "Priya"])
        } catch {
            preconditionFailure("the pipeline's word lists must load (scripts/setup.sh installs them): \(error)")
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

    @Test func misspellingsAreNotWords() {
        // Tesseract's own word list held these, so they were never repaired.
        #expect(Self.english.corrected("notes, lahs and imaging; not avallable").text == "notes, labs and imaging; not available")
        // Medical words and the plan's names are words.
        for text in ["comorbid hypertension", "infliximab", "lumbar radiculopathy", "Maria Okafor", "Priya"] {
            #expect(Self.english.corrected(text).changes.isEmpty, "\(text)")
            #expect(Self.english.unknownWords(in: text).isEmpty, "\(text)")
        }
    }

    @Test func twoLettersReadAsOneAreOneConfusion() {
        // "li" merged into an h, "rn" read for an m: each as cheap as an e read for an o.
        #expect(Lexicon.distance(Array("facihty".utf8), Array("facility".utf8), limit: 2) == 0.5)
        #expect(Lexicon.distance(Array("modem".utf8), Array("modern".utf8), limit: 2) == 0.5)
        #expect(Self.english.corrected("Skilled nursing facihty").text == "Skilled nursing facility")
    }

    @Test func anAcronymIsNoLowerCaseWord() {
        let lexicon = Lexicon(words: ["AMD", "and", "NASA"])
        #expect(!lexicon.contains("amd"))
        #expect(lexicon.contains("and"))
        #expect(lexicon.unknownWords(in: "amd and NASA") == ["amd"])
    }

    @Test func aNameSettlesATieOnlyInAName() {
        let lexicon = Lexicon(words: ["dopey", "lopes", "jessica"], names: ["LOPEZ"])
        // Three words one edit away: in free text no repair; in a name, the one the plan knows.
        #expect(lexicon.corrected("Jessica Lopey").changes.isEmpty)
        #expect(lexicon.corrected("Jessica Lopey", asName: true).text == "Jessica Lopez")
    }

    @Test func inANameAWordThePlansNamesLackIsTheNameOneConfusionAway() {
        let lexicon = Lexicon(words: ["mana", "maria", "okafor", "moore"], names: ["Maria", "Okafor", "Moore", "Nina"])
        #expect(lexicon.corrected("Mana Okafor", asName: true).text == "Maria Okafor")  // ri read as n
        #expect(lexicon.corrected("Mana Okafor").text == "Mana Okafor")                 // free text: a word
        // Two names a confusion away (Maria; Mona, a read as o): left as read.
        let two = Lexicon(words: ["mana"], names: ["Maria", "Mona"])
        #expect(two.corrected("Mana", asName: true).changes.isEmpty)
    }

    @Test func aRepairRememberedIsTheSameRepairAndKnowsWhetherItWasAName() {
        // Repairs are remembered per word; asked again, in either order, each context keeps its own answer.
        let lexicon = Lexicon(words: ["mana", "maria", "hospital"], names: ["Maria"])
        for _ in 0..<2 {
            #expect(lexicon.corrected("Mana").text == "Mana")
            #expect(lexicon.corrected("Mana", asName: true).text == "Maria")
            #expect(lexicon.corrected("hespital").text == "hospital")
        }
    }

    @Test func aListsLinesEndAnyWayAndItsStemsAreTrimmed() {
        // CRLF, lone CR, vertical tab, form feed and Unicode's line separators all end a line; a hunspell
        // stem ends at its slash; spaces, tabs and a no-break space around a word are not part of it;
        // a word with a letter outside ASCII, or of one letter, is no entry.
        let text = "ab\r\ncd/XY\n\t ef \u{00A0}\nél\nGh\u{2028}ij\u{85}kl\u{0B}mn\u{0C}op\rq\n  \n"
        #expect(Lexicon.words(in: text) == ["ab", "cd", "ef", "Gh", "ij", "kl", "mn", "op"])
    }

    @Test func aTieInTextGoesToTheOneCommonWord() {
        // office and Attica are one confusion pair each from "Ottice" (t/f twice; o/a, e/a): a proper noun
        // listed only capitalised yields to the common word.
        let lexicon = Lexicon(words: ["office", "Attica"])
        #expect(lexicon.corrected("Ottice").text == "Office")
        #expect(Self.english.corrected("Ottice").text == "Office")
        // Two common words tie: left as read.
        #expect(Lexicon(words: ["bed", "had", "hod"]).corrected("Hospital hed").changes.isEmpty)
    }

    @Test func readsAHunspellDictionaryAsItsStems() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString).dic")
        try "3\nosteoarthritis/M\nNSAID/S\nknee\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let lexicon = try Lexicon.load(paths: [url.path])
        #expect(lexicon.contains("osteoarthritis") && lexicon.contains("knee"))
        #expect(!lexicon.contains("nsaid"))  // capitals only: an acronym
        #expect(lexicon.corrected("primary osteoarthritls, left kree").text == "primary osteoarthritis, left knee")
    }

    @Test func emptyListIsAnError() {
        #expect(throws: ExtractionError.self) { try Lexicon.load(path: "/dev/null") }
    }
}
