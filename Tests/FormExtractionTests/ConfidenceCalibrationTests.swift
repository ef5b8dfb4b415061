import FaxImaging
import Foundation
import Testing
@testable import FormExtraction

/// A small deterministic generator, so drawn data are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The logistic fit and the calibration file.
@Suite struct ConfidenceCalibrationTests {
    static func evidence(_ raw: Double, models: Int = 1, agreed: Bool = true, share: Double = 1, valid: Bool = true,
                         corrected: Bool = false, empty: Bool = false, type: FieldType = .digits) -> ReadingEvidence {
        ReadingEvidence(rawConfidence: raw, models: models, agreed: agreed, share: share, valid: valid, corrected: corrected,
                        empty: empty, readings: models, type: type)
    }

    @Test func theFitRecoversKnownWeightsOnDrawnData() {
        var rng = SplitMix64(state: 14)
        let truth = [-1.0, 2.0, -0.5]
        var x: [[Double]] = [], y: [Bool] = []
        for _ in 0..<20_000 {
            let row = [1, Double.random(in: -2...2, using: &rng), Double(Int.random(in: 0...1, using: &rng))]
            let z = zip(truth, row).reduce(0) { $0 + $1.0 * $1.1 }
            x.append(row)
            y.append(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-z)))
        }
        let w = LogisticFit.fit(x: x, y: y, prior: [0, 0, 0], penalty: [1e-3, 1e-3, 1e-3])
        for (fitted, known) in zip(w, truth) { #expect(abs(fitted - known) < 0.1, "\(w) against \(truth)") }
        // Deterministic: the same data give the same weights.
        #expect(LogisticFit.fit(x: x, y: y, prior: [0, 0, 0], penalty: [1e-3, 1e-3, 1e-3]) == w)
    }

    /// Drawn readings where a more confident engine and two models agreeing are more often right.
    static func drawnSamples() -> [CalibrationSample] {
        var rng = SplitMix64(state: 7)
        var samples: [CalibrationSample] = []
        for i in 0..<6000 {
            let raw = Double.random(in: 0.5...0.999, using: &rng)
            let models = Int.random(in: 1...2, using: &rng)
            let agreed = models == 1 || Double.random(in: 0..<1, using: &rng) < 0.8
            let z = -4 + 8 * raw + (models == 2 && agreed ? 2 : 0) - (agreed ? 0 : 2)
            let right = Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-z))
            let type: FieldType = i % 2 == 0 ? .date : .code
            samples.append(CalibrationSample(evidence: evidence(raw, models: models, agreed: agreed, type: type),
                                             correct: right, corpus: i % 2, document: i / 36, field: "f", stage: .final))
        }
        return samples
    }

    @Test func probabilitiesRiseWithTheEngineConfidence() {
        let calibration = ConfidenceCalibration.fit(Self.drawnSamples())
        for type in [FieldType.date, .code, .text] {
            for models in [1, 2] {
                var last = 0.0
                for raw in stride(from: 0.3, through: 0.999, by: 0.01) {
                    let p = calibration.probability(Self.evidence(raw, models: models, type: type))
                    #expect(p >= last)
                    last = p
                }
            }
        }
        // Two models agreeing counts for more than one model alone, and a disagreement for less (in the
        // logistic model; the recalibration after it may pool neighbours into one rate, never reverse them).
        let one = calibration.logisticProbability(Self.evidence(0.9))
        #expect(calibration.logisticProbability(Self.evidence(0.9, models: 2)) > one)
        #expect(calibration.logisticProbability(Self.evidence(0.9, models: 2, agreed: false, share: 0.6)) < one)
        #expect(calibration.probability(Self.evidence(0.9, models: 2)) >= calibration.probability(Self.evidence(0.9)))
    }

    @Test func theFileRoundTrips() throws {
        let calibration = ConfidenceCalibration.fit(Self.drawnSamples(), corpora: ["a", "b"], fitted: "2026-12-02")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try calibration.write(to: path)
        let loaded = try ConfidenceCalibration.load(path: path)
        #expect(loaded == calibration)
        #expect(loaded.models.keys.sorted { $0.rawValue < $1.rawValue } == [.code, .date])
    }

    @Test(arguments: [
        ("{\"features\": []}", "missing key"),
        ("not json", "not a calibration file"),
        ("{\"features\": [\"bias\"], \"models\": {}, \"fallback\": {\"weights\": [0], \"samples\": 0, \"wrong\": 0}, \"corpora\": [], \"fitted\": \"\", \"samples\": 0}", "fitted on features"),
        ("{\"features\": [\"bias\", \"logit_confidence\", \"agreed_by_two\", \"models_disagree\", \"contested\", \"valid\", \"corrected\", \"read_empty\", \"blank\", \"sure_margin\", \"sure_margin_agreed\"], \"models\": {\"nonsense\": {\"weights\": [0,0,0,0,0,0,0,0,0,0,0], \"samples\": 0, \"wrong\": 0}}, \"fallback\": {\"weights\": [0,0,0,0,0,0,0,0,0,0,0], \"samples\": 0, \"wrong\": 0}, \"corpora\": [], \"fitted\": \"\", \"samples\": 0}", "not a calibration file"),
        ("{\"features\": [\"bias\", \"logit_confidence\", \"agreed_by_two\", \"models_disagree\", \"contested\", \"valid\", \"corrected\", \"read_empty\", \"blank\", \"sure_margin\", \"sure_margin_agreed\"], \"models\": {}, \"fallback\": {\"weights\": [0,0], \"samples\": 0, \"wrong\": 0}, \"corpora\": [], \"fitted\": \"\", \"samples\": 0}", "finite weights"),
    ])
    func aMalformedFileIsRefused(text: String, reason: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-calibration-\(getpid())-\(abs(text.hashValue)).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try ConfidenceCalibration.load(path: path)
        } throws: { error in
            guard case ExtractionError.calibration(let at, let why) = error else { return false }
            return at == path && why.contains(reason)
        }
    }

    /// Pool-adjacent-violators: rates never fall along the scale, equal chances share a block, and a
    /// block's rate is the rule of succession's.
    @Test func theRecalibrationIsMonotoneAndPoolsViolators() {
        var pairs: [(p: Double, correct: Bool)] = []
        // 0.6: 8 of 10 right; 0.7: 6 of 10 (a violation, pooled with 0.6); 0.9: 998 of 1000; 0.95: 500 of 500.
        pairs += (0..<10).map { (0.6, $0 < 8) }
        pairs += (0..<10).map { (0.7, $0 < 6) }
        pairs += (0..<1000).map { (0.9, $0 < 998) }
        pairs += (0..<500).map { _ in (0.95, true) }
        let map = ConfidenceCalibration.Recalibration.fit(pairs.shuffled())
        #expect(map.blocks.count == 3)
        #expect(map.blocks[0].samples == 20 && map.blocks[0].wrong == 6)
        #expect(abs(map.blocks[0].rate - 15.0 / 22) < 1e-12)
        #expect(abs(map.blocks[1].rate - 999.0 / 1002) < 1e-12)
        #expect(abs(map.blocks[2].rate - 501.0 / 502) < 1e-12)
        // Flat within a block and beyond the ends, linear between blocks.
        #expect(map.map(0.1) == map.blocks[0].rate)
        #expect(map.map(0.65) == map.blocks[0].rate)
        #expect(abs(map.map(0.8) - (map.blocks[0].rate + map.blocks[1].rate) / 2) < 1e-12)
        #expect(map.map(0.99) == map.blocks[2].rate)
        // 500 right of 500 reaches 0.998; fewer would not.
        #expect(map.map(0.95) >= 0.998)
        #expect(ConfidenceCalibration.Recalibration.rate(300, 300) < 0.998)
    }

    @Test func aFileWithoutARecalibrationKeepsTheLogisticChance() throws {
        var calibration = ConfidenceCalibration.fit(Self.drawnSamples())
        #expect(calibration.recalibration != nil)
        let recalibrated = calibration.probability(Self.evidence(0.9))
        calibration.recalibration = nil
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-old-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try calibration.write(to: path)
        let loaded = try ConfidenceCalibration.load(path: path)
        #expect(loaded.recalibration == nil)
        #expect(loaded.probability(Self.evidence(0.9)) == loaded.logisticProbability(Self.evidence(0.9)))
        #expect((0...1).contains(recalibrated))
    }

    @Test func aRecalibrationWhoseRatesFallIsRefused() throws {
        var calibration = ConfidenceCalibration.fit(Self.drawnSamples())
        calibration.recalibration = .init(blocks: [
            .init(lower: 0.1, upper: 0.5, mean: 0.3, rate: 0.9, samples: 10, wrong: 1),
            .init(lower: 0.6, upper: 0.9, mean: 0.7, rate: 0.5, samples: 10, wrong: 5),
        ])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-falling-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try calibration.write(to: path)
        #expect(throws: ExtractionError.self) { _ = try ConfidenceCalibration.load(path: path) }
    }

    @Test func theReliabilityTableBinsPredictions() {
        let table = ReliabilityTable([(0.3, false), (0.96, true), (0.97, false), (0.999, true)])
        #expect(table.bins.map(\.count) == [1, 0, 0, 0, 2, 0, 0, 0, 1])
        #expect(table.bins[4].observed == 0.5)
        #expect(abs(table.bins[4].meanPredicted - 0.965) < 1e-12)
    }
}

/// A calibration that says the same chance for every reading.
func constantCalibration(_ p: Double) -> ConfidenceCalibration {
    var weights = [Double](repeating: 0, count: ConfidenceCalibration.featureNames.count)
    weights[0] = log(p / (1 - p))
    return ConfidenceCalibration(models: [:], fallback: .init(weights: weights))
}

/// Key and context fields with a calibration: what is read, and what goes to review.
@Suite struct CalibratedReadingTests {
    static let digits = "0123456789"

    /// The NPI field of a real fax, located as extraction locates it.
    static func npiZone(_ extractor: FormExtractor) throws -> (FieldSpec, Page, PageTransform) {
        let document = try DocumentDecoder().decode(path: Fixtures.corpus("0002.tif"))
        let located = try #require(extractor.locateForm(in: document))
        let spec = try #require(Fixtures.form.template.field(named: "requesting_provider_npi"))
        return (spec, document.pages[located.index], located.match.transform)
    }

    @Test func aFieldSureAfterCalibrationIsReadOnce() throws {
        let first = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.95, wordConfidences: [0.95])])
        let second = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.95, wordConfidences: [0.95])])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: first, secondOpinion: second, calibration: constantCalibration(0.9999))
        let (spec, page, transform) = try Self.npiZone(extractor)
        let reading = try extractor.read(spec, on: page, transform: transform)
        #expect(first.calls == 1 && second.calls == 0)
        #expect(reading.value == "1234567893" && !reading.needsReview && reading.confidence == 0.9999)
        #expect(reading.evidence.models == 1 && reading.evidence.readings == 1 && reading.evidence.rawConfidence == 0.95)
    }

    @Test func aCalibrationNeverStopsSoonerThanTheEngineWould() throws {
        // The engine is unsure (0.80 under review_below_confidence): however sure the calibration, the
        // second model reads too.
        let first = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.80, wordConfidences: [0.80])])
        let second = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.80, wordConfidences: [0.80])])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: first, secondOpinion: second, calibration: constantCalibration(0.9999))
        let (spec, page, transform) = try Self.npiZone(extractor)
        let reading = try extractor.read(spec, on: page, transform: transform)
        #expect(second.calls >= 1)
        #expect(reading.value == "1234567893" && reading.evidence.models == 2)
    }

    @Test func aFieldUnsureAfterCalibrationIsReadByTheSecondModel() throws {
        let first = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.99, wordConfidences: [0.99])])
        let second = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.99, wordConfidences: [0.99])])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: first, secondOpinion: second, calibration: constantCalibration(0.99))
        let (spec, page, transform) = try Self.npiZone(extractor)
        let reading = try extractor.read(spec, on: page, transform: transform)
        // 0.99 is short of the key field's 0.998: the second model reads, agrees, and the field settles.
        #expect(first.calls == 1 && second.calls == 1)
        #expect(reading.evidence.models == 2 && reading.evidence.agreed && reading.evidence.agreedByTwo)
        #expect(reading.confidence == 0.99 && reading.needsReview && reading.issues.contains(.lowConfidence))
    }

    @Test func calibratingNeverStopsAtTheFirstReadingAndKeepsIt() throws {
        let first = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.99, wordConfidences: [0.99])])
        let second = ScriptedRecognizer([Self.digits: RecognizedText(text: "1234567893", confidence: 0.97, wordConfidences: [0.97])])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: first, secondOpinion: second)
        extractor.mode = .calibrate
        let (spec, page, transform) = try Self.npiZone(extractor)
        let read = try extractor.readField(spec, on: page, transform: transform)
        #expect(second.calls == 1)
        #expect(read.first.evidence.models == 1 && read.first.evidence.rawConfidence == 0.99)
        #expect(read.final.evidence.models == 2 && read.final.evidence.agreed)
    }

    @Test func keyFieldsAnswerToTheTargetAccuracyAndContextFieldsToTheReviewThreshold() throws {
        let document = try DocumentDecoder().decode(path: Fixtures.corpus("0002.tif"))
        let truth = try DocumentTruth.load(Fixtures.corpus("0002.truth.json"))
        let template = Fixtures.form.template
        // A context field with no validator that this fax fills in: any text reads as valid.
        let context = try #require(template.fields.first {
            $0.importance == .context && $0.validator == nil && $0.type == .text && !(truth.fields[$0.name] ?? "").isEmpty
        })
        let recognizer = ScriptedRecognizer([
            Self.digits: RecognizedText(text: "1234567893", confidence: 0.99, wordConfidences: [0.99]),
            FormExtractor.allowedCharacters(for: context): RecognizedText(text: "Seen in clinic", confidence: 0.99, wordConfidences: [0.99]),
        ])
        let extractor = FormExtractor(form: Fixtures.form, recognizer: recognizer, calibration: constantCalibration(0.95))
        let result = try extractor.extract(document)
        let npi = try #require(result.fields["requesting_provider_npi"])
        #expect(template.field(named: "requesting_provider_npi")?.importance == .key)
        #expect(npi.valid && npi.confidence == 0.95 && npi.needsReview && npi.issues.contains(.lowConfidence))
        let text = try #require(result.fields[context.name])
        #expect(text.confidence == 0.95 && !text.needsReview)

        // A lower target lets the same key field through.
        var policy = ExtractionPolicy()
        policy.targetAccuracy = 0.95
        let lenient = FormExtractor(form: Fixtures.form, recognizer: recognizer, policy: policy, calibration: constantCalibration(0.95))
        #expect(try lenient.extract(document).fields["requesting_provider_npi"]?.needsReview == false)
    }

    @Test func evidenceIsNotPartOfTheJSON() throws {
        let reading = FieldReading(value: "1", normalized: "1", confidence: 0.9, valid: true, needsReview: false, issues: [],
                                   evidence: ConfidenceCalibrationTests.evidence(0.8, models: 2))
        let data = try JSONEncoder().encode(reading)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["value", "normalized", "confidence", "valid", "issues", "needs_review"])
        #expect(try JSONDecoder().decode(FieldReading.self, from: data) == reading)
    }
}

/// Which fields must be exact: data in the field map.
@Suite struct FieldImportanceTests {
    @Test func theShippedMapNamesKeyFieldsAndGroups() {
        let template = Fixtures.form.template
        let key = Set(template.fields.filter { $0.importance == .key }.map(\.name))
        #expect(key == ["member_name", "member_dob", "member_id", "requesting_provider_npi", "servicing_provider_npi",
                        "service_start_date", "service_end_date", "diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3",
                        "procedure_code_1", "procedure_code_2", "procedure_code_3",
                        "procedure_units_1", "procedure_units_2", "procedure_units_3"])
        #expect(Set(template.checkboxGroups.filter { $0.importance == .key }.map(\.name)) == ["request_type", "priority"])
    }

    @Test func everyFieldOfTheShippedMapSaysItsImportance() throws {
        let path = Fixtures.formDirectory + "/" + Fixtures.formName + ".fields.json"
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        for list in ["fields", "checkbox_groups"] {
            for entry in try #require(json[list] as? [[String: Any]]) {
                #expect(["key", "context"].contains(entry["importance"] as? String), "\(entry["name"] ?? "?")")
            }
        }
    }

    @Test func aMapThatDoesNotSayIsContext() throws {
        let text = """
        {"name": "f", "label": "F", "section": "s", "type": "text", "required": false, "value_box_pt": [0, 0, 10, 10]}
        """
        #expect(try JSONDecoder().decode(FieldSpec.self, from: Data(text.utf8)).importance == .context)
        let group = """
        {"name": "g", "label": "G", "section": "s", "select": "one", "required": false, "options": []}
        """
        #expect(try JSONDecoder().decode(CheckboxGroupSpec.self, from: Data(group.utf8)).importance == .context)
        let wrong = """
        {"name": "f", "label": "F", "section": "s", "type": "text", "required": false, "value_box_pt": [0, 0, 10, 10], "importance": "vital"}
        """
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FieldSpec.self, from: Data(wrong.utf8)) }
    }
}
