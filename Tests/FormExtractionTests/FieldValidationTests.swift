import Foundation
import Testing
@testable import FormExtraction

private func spec(_ validator: FieldValidator?, required: Bool = false, type: FieldType = .text, length: Int? = nil) -> FieldSpec {
    FieldSpec(name: "f", label: "F", section: "s", type: type, required: required, labelBox: nil,
              valueBox: TemplateBox(x: 0, y: 0, width: 10, height: 10), validator: validator,
              combCells: nil, length: length, lines: nil, table: nil, row: nil)
}

@Suite struct FieldValidationTests {
    /// A provider's name ends with a credential the field map lists; a capital suffix that is none ("DO"
    /// read as "BO") sends the field to a person. Names without one, or written last name first, pass.
    @Test(arguments: [
        ("David Thomas, DO", true), ("David Thomas, BO", false), ("Aisha Lee, M.D.", true), ("Wei Lopez, PA-C", true),
        ("Thomas, David", true), ("David Thomas", true), ("Jennifer Johnson, NF", false),
    ])
    func aNamesCredentialIsOneTheMapLists(name: String, valid: Bool) {
        var field = spec(nil, type: .name)
        field.credentials = ["MD", "DO", "NP", "PA-C"]
        #expect(FieldValidation.validate(name, field: field).valid == valid)
        // A field the map gives no credentials is not judged.
        #expect(FieldValidation.validate(name, field: spec(nil, type: .name)).valid)
    }

    /// x, c, o, s, v, w, z differ from their capitals only in size, which a fax blurs; a sentence's start decides.
    @Test(arguments: [
        ("x-ray shows narrowing.", "X-ray shows narrowing."),
        ("Stable now. x-ray shows narrowing. see attached", "Stable now. X-ray shows narrowing. See attached"),
        ("failed 12 weeks", "failed 12 weeks"),                  // f has its own capital shape: left as read
        ("Swelling, e.g. swelling of the knee", "Swelling, e.g. swelling of the knee"),
        ("Seen for 6 mo. some relief", "Seen for 6 mo. some relief"),
        ("Pain for 3 wks. some relief", "Pain for 3 wks. some relief"),
    ])
    func freeTextSentencesStartWithACapitalWhereOnlySizeTellsCase(read: String, expected: String) {
        #expect(FieldValidation.validate(read, field: spec(nil)).value == expected)
        // Names are not sentences ("van der Berg").
        #expect(FieldValidation.validate(read, field: spec(nil, type: .name)).value == read)
    }

    @Test func npiUsesLuhnWithThe80840Prefix() {
        #expect(FieldValidation.validate("1234567893", field: spec(.npi)).valid)
        #expect(!FieldValidation.validate("1234567890", field: spec(.npi)).valid)
        #expect(!FieldValidation.validate("123456789", field: spec(.npi)).valid)
    }

    @Test func npiCorrectsLetterOForZeroOnlyWhenItThenPasses() {
        let corrected = FieldValidation.validate("I234567893", field: spec(.npi))
        #expect(corrected.valid)
        #expect(corrected.normalized == "1234567893")
        #expect(corrected.issues.contains(.correctedConfusion(read: "I234567893", as: "1234567893")))
        // A confusion whose correction still fails is not corrected.
        #expect(!FieldValidation.validate("I234567890", field: spec(.npi)).valid)
    }

    @Test func datesMustBeRealCalendarDates() {
        #expect(FieldValidation.validate("02/29/2024", field: spec(.date)).valid)
        #expect(!FieldValidation.validate("02/29/2026", field: spec(.date)).valid)
        #expect(!FieldValidation.validate("13/01/2026", field: spec(.date)).valid)
        #expect(!FieldValidation.validate("2026-01-01", field: spec(.date)).valid)
        #expect(FieldValidation.validate("03/24/2026", field: spec(.date)).normalized == "2026-03-24")
    }

    @Test func impossibleMonthWithLeadingNineBecomesZero() {
        let outcome = FieldValidation.validate("93/24/2026", field: spec(.date))
        #expect(outcome.valid)
        #expect(outcome.value == "03/24/2026")
        #expect(!outcome.issues.isEmpty)
        // 09 is a real month: left alone.
        #expect(FieldValidation.validate("09/10/2026", field: spec(.date)).value == "09/10/2026")
    }

    @Test func memberIDIsElevenDigits() {
        #expect(FieldValidation.validate("25903029451", field: spec(.memberID, length: 11)).valid)
        #expect(!FieldValidation.validate("2590302945", field: spec(.memberID, length: 11)).valid)
    }

    @Test func codeShapes() {
        for good in ["I63.9", "S72.001A", "E66.01", "M17.12", "J44.1"] {
            #expect(FieldValidation.validate(good, field: spec(.icd10)).valid, "\(good)")
        }
        for bad in ["I6", "U07.1X", "163.99999"] { #expect(!FieldValidation.validate(bad, field: spec(.icd10)).valid, "\(bad)") }
        // A digit 1 where the letter I belongs is corrected, and says so.
        let corrected = FieldValidation.validate("163.9", field: spec(.icd10))
        #expect(corrected.value == "I63.9")
        #expect(!corrected.issues.isEmpty)
        for good in ["99306", "G0151", "J1745", "0001F"] { #expect(FieldValidation.validate(good, field: spec(.cptHCPCS)).valid, "\(good)") }
        #expect(!FieldValidation.validate("9930", field: spec(.cptHCPCS)).valid)
        #expect(FieldValidation.validate("6O151", field: spec(.cptHCPCS)).value == "60151")
        // G opens HCPCS codes: a G read with an O after it is G0151, not 60151.
        #expect(FieldValidation.validate("GO151", field: spec(.cptHCPCS)).value == "G0151")
        #expect(FieldValidation.validate("O1745", field: spec(.cptHCPCS)).value == "01745")
    }

    @Test func phoneAndTIN() {
        let phone = FieldValidation.validate("(537) 324-7237", field: spec(.phone))
        #expect(phone.valid)
        #expect(phone.value == "(537) 324-7237")
        #expect(phone.normalized == "537-324-7237")
        #expect(FieldValidation.validate("846.420.7746", field: spec(.phone)).normalized == "846-420-7746")
        #expect(!FieldValidation.validate("846.420.774", field: spec(.phone)).valid)
        // An opening parenthesis read as a 1 is no country code: it is repaired, and says so.
        let paren = FieldValidation.validate("1484) 793-0050", field: spec(.phone))
        #expect(paren.valid && paren.value == "(484) 793-0050" && !paren.issues.isEmpty)
        // A lone parenthesis elsewhere is not a phone number.
        #expect(!FieldValidation.validate("484) 793-0050", field: spec(.phone)).valid)
        #expect(!FieldValidation.validate("(484 793-0050", field: spec(.phone)).valid)
        #expect(FieldValidation.validate("1-484-793-0050", field: spec(.phone)).valid)
        #expect(FieldValidation.validate("83-3711554", field: spec(.tin)).valid)
        #expect(!FieldValidation.validate("83-371155", field: spec(.tin)).valid)
    }

    @Test func marksAloneAtTheEndsAreSpecksNotWriting() {
        #expect(FieldValidation.validate("04/06/2026 /", field: spec(.date)).value == "04/06/2026")
        #expect(FieldValidation.validate("left knee . . .", field: spec(nil)).value == "left knee")
        #expect(FieldValidation.validate(". . .", field: spec(nil)).value == "")
        // A sentence's own period and a phone's parenthesis stay.
        #expect(FieldValidation.validate("BMI 31.", field: spec(nil)).value == "BMI 31.")
        #expect(FieldValidation.validate("(537) 324-7237", field: spec(.phone)).value == "(537) 324-7237")
    }

    @Test func requiredEmptyIsInvalid() {
        #expect(!FieldValidation.validate("  ", field: spec(nil, required: true)).valid)
        #expect(FieldValidation.validate("", field: spec(nil, required: false)).valid)
    }

    @Test func issuesAreStoredAsTheirSentencesAndReadBack() throws {
        let issues: [FieldIssue] = [.requiredEmpty, .lowConfidence, .noFormPage, .invalid("not a calendar date"),
                                    .correctedConfusion(read: "O1/02/2026", as: "01/02/2026"),
                                    .restoredSeparator(read: "846 420.7746", as: "846.420.7746"),
                                    .repairedWord(read: "Thitial", as: "Initial")]
        let json = try JSONEncoder().encode(issues)
        let sentences = try JSONDecoder().decode([String].self, from: json)
        #expect(sentences == issues.map(\.description))
        #expect(sentences[4] == "corrected OCR confusion: 'O1/02/2026' read as '01/02/2026'")
        #expect(try JSONDecoder().decode([FieldIssue].self, from: json) == issues)
    }
}
