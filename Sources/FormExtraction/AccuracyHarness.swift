import FaxImaging
import Foundation

/// The ground truth the development corpus ships beside each document (`NNNN.truth.json`).
public struct DocumentTruth: Sendable, Decodable {
    public var file: String
    public var kind: String
    public var faxLine: String?
    public var expectedRoute: String?
    public var requestTypeRoute: String?
    public var pages: Int
    public var formPage: Int?
    public var upsideDown: Bool?
    public var fields: [String: String]
    public var checkboxGroups: [String: [String]]

    enum CodingKeys: String, CodingKey {
        case file, kind, pages, fields
        case faxLine = "fax_line", expectedRoute = "expected_route", requestTypeRoute = "request_type_route"
        case formPage = "form_page", upsideDown = "upside_down", checkboxGroups = "checkbox_groups"
    }

    public static func load(_ path: String) throws -> DocumentTruth {
        try JSONDecoder().decode(DocumentTruth.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Counts of right and wrong, per field, per document kind, for checkboxes and form finding.
public struct AccuracyReport: Sendable, Encodable {
    /// A hit count over a total.
    public struct Tally: Sendable, Encodable {
        public var correct = 0
        public var total = 0
        public var rate: Double { total == 0 ? 1 : Double(correct) / Double(total) }

        mutating func add(_ ok: Bool) { total += 1; if ok { correct += 1 } }

        enum CodingKeys: String, CodingKey { case correct, total, rate }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(correct, forKey: .correct); try c.encode(total, forKey: .total)
            try c.encode((rate * 10000).rounded() / 10000, forKey: .rate)
        }
    }

    /// A field value that did not match, for the developer's eyes only (it is PHI).
    public struct Miss: Sendable, Encodable {
        public var file: String
        public var field: String
        public var expected: String
        public var got: String
        public var needsReview: Bool
        public var confidence: Double
    }

    /// One key field as scored: whether it was right, and what the pipeline decided about it.
    public struct KeyField: Sendable, Encodable {
        public var file: String
        public var field: String
        public var correct: Bool
        public var confidence: Double
        public var valid: Bool
        public var needsReview: Bool

        public init(file: String, field: String, correct: Bool, confidence: Double, valid: Bool, needsReview: Bool) {
            self.file = file; self.field = field; self.correct = correct
            self.confidence = confidence; self.valid = valid; self.needsReview = needsReview
        }
    }

    public init() {}

    public var documents = 0
    public var fieldsByName: [String: Tally] = [:]
    public var fieldsByKind: [String: Tally] = [:]
    public var checkboxesByKind: [String: Tally] = [:]
    public var fields = Tally()
    public var checkboxes = Tally()
    public var formFound = Tally()
    public var orientation = Tally()
    /// Fields that are wrong but not marked for review.
    public var silentErrors = 0
    public var reviewFlagged = 0
    public var failures: [String] = []
    public var misses: [Miss] = []
    public var secondsPerDocument: [String: Double] = [:]
    /// Confidences of correct, unflagged fields: how much room a stricter review threshold has.
    public var confidenceOfCorrect: [Double] = []
    /// Every key field of every document read, for the automation curve. Not encoded (see `automation`).
    public var keyFields: [KeyField] = []
    /// Documents read (a form page, or fillable) whose key fields and key checkbox groups all passed.
    public var straightThrough = 0
    /// Documents whose key fields and groups were judged, for the straight-through rate.
    public var keyDocuments = 0
    /// Documents whose key fields all passed but a key checkbox group did not.
    public var heldByCheckboxes = 0

    enum CodingKeys: String, CodingKey {
        case documents, fieldsByName, fieldsByKind, checkboxesByKind, fields, checkboxes, formFound, orientation, silentErrors,
             reviewFlagged, failures, misses, secondsPerDocument, confidenceOfCorrect, straightThrough, keyDocuments, heldByCheckboxes
    }

    public var silentErrorRate: Double { fields.total == 0 ? 0 : Double(silentErrors) / Double(fields.total) }
}

/// Runs extraction over a folder of documents with `.truth.json` files and scores it.
public struct AccuracyHarness {
    public var decoder: DocumentDecoder

    public init(decoder: DocumentDecoder = DocumentDecoder()) { self.decoder = decoder }

    /// The documents in `folder` that have a truth file, sorted by name.
    public static func documents(in folder: String) -> [(document: String, truth: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".truth.json") }.sorted().compactMap { truthName in
            let stem = String(truthName.dropLast(".truth.json".count))
            for ext in ["tif", "tiff", "pdf"] where names.contains("\(stem).\(ext)") {
                return ("\(folder)/\(stem).\(ext)", "\(folder)/\(truthName)")
            }
            return nil
        }
    }

    /// Values are compared after trimming and collapsing whitespace; nothing else is forgiven.
    public static func same(_ a: String, _ b: String) -> Bool {
        FieldValidation.collapseWhitespace(a) == FieldValidation.collapseWhitespace(b)
    }

    public func run(_ items: [(document: String, truth: String)], extractor: FormExtractor) -> AccuracyReport {
        run(items, template: extractor.form.template) { path in try extractor.extract(try decoder.decode(path: path)) }
    }

    /// Scores what `read` makes of each document: the extractor alone, or the whole pipeline's reading
    /// (reference checks included), as `extract` prints it.
    public func run(_ items: [(document: String, truth: String)], template: FormTemplate?,
                    read: (String) throws -> ExtractionResult) -> AccuracyReport {
        var report = AccuracyReport()
        for item in items {
            report.documents += 1
            guard let truth = try? DocumentTruth.load(item.truth) else {
                report.failures.append("\(item.truth): unreadable truth file")
                continue
            }
            let started = Date()
            let result: ExtractionResult
            do {
                result = try read(item.document)
            } catch {
                report.failures.append("\(error)")
                for (name, expected) in truth.fields {
                    report.fields.add(expected.isEmpty)
                    report.fieldsByName[name, default: .init()].add(expected.isEmpty)
                    report.fieldsByKind[truth.kind, default: .init()].add(expected.isEmpty)
                }
                continue
            }
            report.secondsPerDocument[URL(fileURLWithPath: item.document).lastPathComponent] = Date().timeIntervalSince(started)
            score(result, against: truth, file: item.document, template: template, into: &report)
        }
        return report
    }

    func score(_ result: ExtractionResult, against truth: DocumentTruth, file: String, template: FormTemplate? = nil,
               into report: inout AccuracyReport) {
        if let template {
            var through = true
            for spec in template.fields where spec.importance == .key {
                guard let expected = truth.fields[spec.name], let reading = result.fields[spec.name] else { continue }
                report.keyFields.append(.init(file: URL(fileURLWithPath: file).lastPathComponent, field: spec.name,
                                              correct: Self.same(reading.value, expected), confidence: reading.confidence,
                                              valid: reading.valid, needsReview: reading.needsReview))
                if reading.needsReview { through = false }
            }
            let fieldsThrough = through
            for group in template.checkboxGroups where group.importance == .key && result.checkboxes[group.name]?.needsReview != false {
                through = false
            }
            if fieldsThrough && !through { report.heldByCheckboxes += 1 }
            report.keyDocuments += 1
            if through { report.straightThrough += 1 }
        }
        let found = truth.formPage == nil ? result.form == nil : result.form?.page == truth.formPage
        report.formFound.add(found)
        if let form = result.form, truth.formPage != nil {
            report.orientation.add((form.rotation == 180) == (truth.upsideDown ?? false))
        }
        for (name, expected) in truth.fields {
            let reading = result.fields[name]
            let got = reading?.value ?? ""
            let ok = Self.same(got, expected)
            report.fields.add(ok)
            report.fieldsByName[name, default: .init()].add(ok)
            report.fieldsByKind[truth.kind, default: .init()].add(ok)
            if reading?.needsReview == true { report.reviewFlagged += 1 }
            if ok, reading?.needsReview != true, let c = reading?.confidence { report.confidenceOfCorrect.append(c) }
            if !ok {
                if reading?.needsReview != true { report.silentErrors += 1 }
                report.misses.append(.init(file: URL(fileURLWithPath: file).lastPathComponent, field: name,
                                           expected: expected, got: got, needsReview: reading?.needsReview ?? false,
                                           confidence: reading?.confidence ?? 0))
            }
        }
        for (group, expected) in truth.checkboxGroups {
            let got = result.checkboxes[group]?.selected ?? []
            let ok = got.sorted() == expected.sorted()
            report.checkboxes.add(ok)
            report.checkboxesByKind[truth.kind, default: .init()].add(ok)
            if !ok {
                report.misses.append(.init(file: URL(fileURLWithPath: file).lastPathComponent, field: "[\(group)]",
                                           expected: expected.joined(separator: ","), got: got.joined(separator: ","),
                                           needsReview: result.checkboxes[group]?.needsReview ?? false,
                                           confidence: result.checkboxes[group]?.confidence ?? 0))
            }
        }
    }
}

/// The share of key fields a confidence threshold lets through, and how many of those are right.
public struct AutomationCurve: Sendable, Encodable {
    /// One threshold: key fields whose confidence reaches it and that are valid go through unreviewed.
    public struct Point: Sendable, Encodable {
        public var threshold: Double
        public var automated: Int
        public var automatedCorrect: Int
        public var total: Int
        public var automatedShare: Double { total == 0 ? 0 : Double(automated) / Double(total) }
        public var accuracy: Double { automated == 0 ? 1 : Double(automatedCorrect) / Double(automated) }

        enum CodingKeys: String, CodingKey { case threshold, automated, automatedCorrect = "automated_correct", total, automatedShare = "automated_share", accuracy }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(threshold, forKey: .threshold); try c.encode(automated, forKey: .automated)
            try c.encode(automatedCorrect, forKey: .automatedCorrect); try c.encode(total, forKey: .total)
            try c.encode((automatedShare * 10000).rounded() / 10000, forKey: .automatedShare)
            try c.encode((accuracy * 10000).rounded() / 10000, forKey: .accuracy)
        }
    }

    public static let thresholds = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999]
    public var points: [Point]
    /// As the pipeline decided: key fields not flagged for review, of all key fields.
    public var keyFields: Int
    public var keyFieldsAutomated: Int
    /// Key fields wrong and not flagged: the errors that reach the plan's systems.
    public var keyFieldsWrongUnflagged: Int
    public var documents: Int
    /// Documents with no key field and no key checkbox group to review.
    public var straightThrough: Int
    /// Per key field: how often it was flagged, and how many of those were right anyway (review spent for nothing).
    public var flaggedByField: [String: Flagged]
    /// Documents held back by a key checkbox group alone.
    public var heldByCheckboxes: Int

    /// Flagged readings of one key field.
    public struct Flagged: Sendable, Encodable {
        public var flagged = 0
        public var right = 0
    }

    public init(_ report: AccuracyReport, thresholds: [Double] = Self.thresholds) {
        let key = report.keyFields
        points = thresholds.map { t in
            let automated = key.filter { $0.valid && $0.confidence >= t }
            return Point(threshold: t, automated: automated.count, automatedCorrect: automated.filter(\.correct).count, total: key.count)
        }
        keyFields = key.count
        keyFieldsAutomated = key.filter { !$0.needsReview }.count
        keyFieldsWrongUnflagged = key.filter { !$0.needsReview && !$0.correct }.count
        documents = report.keyDocuments
        straightThrough = report.straightThrough
        var byField: [String: Flagged] = [:]
        for field in key where field.needsReview {
            byField[field.field, default: Flagged()].flagged += 1
            if field.correct { byField[field.field, default: Flagged()].right += 1 }
        }
        flaggedByField = byField
        heldByCheckboxes = report.heldByCheckboxes
    }

    enum CodingKeys: String, CodingKey {
        case points, keyFields = "key_fields", keyFieldsAutomated = "key_fields_automated"
        case keyFieldsWrongUnflagged = "key_fields_wrong_unflagged", documents, straightThrough = "straight_through"
        case flaggedByField = "flagged_by_field", heldByCheckboxes = "held_by_checkboxes"
    }
}
