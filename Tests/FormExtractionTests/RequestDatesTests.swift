import Testing
@testable import FormExtraction

/// A request's dates agree on their year; one that stands apart by a digit a fax breaks is that digit misread.
@Suite struct RequestDatesTests {
    static let template: FormTemplate = {
        do { return try FormTemplate.load(fieldMap: Fixtures.formDirectory + "/" + Fixtures.formName + ".fields.json") } catch {
            preconditionFailure("the shipped field map must load: \(error)")
        }
    }()

    static func reading(_ name: String, _ value: String) -> FieldReading {
        let spec = template.field(named: name)!
        let outcome = FieldValidation.validate(value, field: spec)
        return FieldReading(value: outcome.value, normalized: outcome.normalized, confidence: 0.9, valid: outcome.valid,
                            needsReview: !outcome.valid, issues: outcome.issues)
    }

    static func reconciled(_ values: [String: String]) -> [String: FieldReading] {
        let fields = Dictionary(uniqueKeysWithValues: values.map { ($0.key, reading($0.key, $0.value)) })
        return RequestDates.reconciled(fields, template: template) { spec, value in reading(spec.name, value) }
    }

    @Test func aYearOneBrokenDigitFromTheOthersTakesTheirs() {
        let out = Self.reconciled(["request_date": "05/20/2026", "signature_date": "05/09/2026",
                                   "service_start_date": "01/08/2026", "service_end_date": "03/05/2076"])
        #expect(out["service_end_date"]?.value == "03/05/2026")
        #expect(out["service_end_date"]?.needsReview == true)
        #expect(out["service_end_date"]?.issues.contains(.correctedConfusion(read: "03/05/2076", as: "03/05/2026")) == true)
        #expect(out["service_start_date"]?.value == "01/08/2026")
    }

    @Test func leavesWhatItCannotBeSureOf() {
        // 3 for 2 is no confusion a fax makes; a year apart is a real range; two dates are not a majority;
        // the others disagree among themselves; a date of birth is no date of the request.
        for values in [
            ["request_date": "05/20/2026", "signature_date": "05/09/2026", "service_end_date": "03/05/2036"],
            ["request_date": "12/20/2026", "signature_date": "12/09/2026", "service_end_date": "01/05/2027"],
            ["request_date": "05/20/2026", "service_end_date": "03/05/2076"],
            ["request_date": "05/20/2026", "signature_date": "05/09/2025", "service_end_date": "03/05/2076"],
            ["request_date": "05/20/2026", "signature_date": "05/09/2026", "member_dob": "03/05/1976"],
        ] {
            let out = Self.reconciled(values)
            for (name, value) in values { #expect(out[name]?.value == value, "\(values)") }
        }
    }
}
