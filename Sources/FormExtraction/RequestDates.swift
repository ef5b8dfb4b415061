/// The dates of one request (asked, signed, the service's start and end) fall within a year or so of one
/// another. A year that stands apart from the others' by one digit a fax typically breaks (2026 read as
/// 2076: the 2's base lost between scan lines) is that digit misread: it takes the others' year, and the
/// field goes to review with the correction in its issues.
enum RequestDates {
    static let roles: Set<FieldRole> = [.requestDate, .signatureDate, .serviceDate, .serviceEndDate]

    /// Digits a fax's lost or added pixels turn into each other (a 2's base, a 4's or 1's top, loops that fill).
    static let confusedDigits: Set<String> = ["06", "08", "09", "14", "17", "27", "28", "38", "47", "49", "56", "58", "68"]

    static func reconciled(_ fields: [String: FieldReading], template: FormTemplate,
                           finish: (FieldSpec, String) -> FieldReading) -> [String: FieldReading] {
        let specs = template.fields.filter { $0.role.map(roles.contains) ?? false }
        func year(_ reading: FieldReading?) -> Int? {
            guard let reading, reading.valid, reading.normalized.count == 10 else { return nil }
            return Int(reading.normalized.prefix(4))
        }
        var out = fields
        for spec in specs {
            guard let reading = fields[spec.name], let own = year(reading) else { continue }
            // At least two others must agree on a year for this one to stand apart from it.
            let others = specs.filter { $0.name != spec.name }.compactMap { year(fields[$0.name]) }
            guard others.count >= 2, let agreed = others.first, others.allSatisfy({ $0 == agreed }),
                  abs(own - agreed) > 1 else { continue }
            let a = Array(String(own)), b = Array(String(agreed))
            let differing = zip(a, b).filter { $0 != $1 }
            guard a.count == 4, b.count == 4, differing.count == 1,
                  confusedDigits.contains(String([differing[0].0, differing[0].1].sorted())) else { continue }
            let parts = reading.value.split(separator: "/")
            guard parts.count == 3 else { continue }
            var fixed = finish(spec, "\(parts[0])/\(parts[1])/\(agreed)")
            guard fixed.valid else { continue }
            fixed.issues.append(.correctedConfusion(read: reading.value, as: fixed.value))
            fixed.confidence = min(reading.confidence, fixed.confidence)
            fixed.evidence = reading.evidence
            fixed.evidence.corrected = true
            fixed.needsReview = true
            out[spec.name] = fixed
        }
        return out
    }
}
