import Dispatch
import FaxImaging
import Foundation

/// Finds the form page of a document, registers it to the template and reads every field and checkbox.
///
/// Holds one OCR engine, so one extractor serves one worker at a time.
public final class FormExtractor {
    public let form: FormDefinition
    public let policy: ExtractionPolicy
    /// Repairs misread words in names and free text; nil reads them as recognised.
    public let lexicon: Lexicon?
    private let recognizer: TextRecognizer
    /// A second, independently trained model consulted on fields the first is unsure of; nil reads with one.
    private let secondOpinion: TextRecognizer?
    /// Turns each field's evidence into the chance it is right; nil keeps the engine's confidence and
    /// one review threshold for every field.
    public let calibration: ConfidenceCalibration?
    /// Whether the reading loop stops at the first sure reading, or reads on to calibrate.
    public var mode: ReadingMode = .settle

    /// How the reading loop runs.
    public enum ReadingMode: Sendable, Equatable {
        /// Stop as soon as a field is settled: the first model sure, or both models agreed.
        case settle
        /// For `faxintake calibrate`: never stop at the first model's first reading (so every field also
        /// has the second model's evidence), and keep that first reading in `firstReadings`.
        case calibrate
    }

    public init(form: FormDefinition, recognizer: TextRecognizer, secondOpinion: TextRecognizer? = nil,
                policy: ExtractionPolicy = ExtractionPolicy(), lexicon: Lexicon? = nil,
                calibration: ConfidenceCalibration? = nil) {
        self.form = form
        self.recognizer = recognizer
        self.secondOpinion = secondOpinion
        self.policy = policy
        self.lexicon = lexicon
        self.calibration = calibration
    }

    /// The form page of a document, if any: the page whose section bars best match the template.
    public func locateForm(in document: DecodedDocument) -> (index: Int, match: FormMatch)? {
        var timings = ExtractionTimings()
        return locateForm(in: document, timings: &timings)
    }

    func locateForm(in document: DecodedDocument, timings: inout ExtractionTimings) -> (index: Int, match: FormMatch)? {
        var best: (Int, FormMatch)?
        for (index, page) in document.pages.enumerated() where !page.isBlank {
            guard let match = form.classify(page, timings: &timings) else { continue }
            if best == nil || match.matchedBars > best!.1.matchedBars
                || (match.matchedBars == best!.1.matchedBars && match.residual < best!.1.residual) {
                best = (index, match)
            }
        }
        return best
    }

    /// Registers one page against the template, or nil when it is not this form.
    public func classify(_ page: Page) -> FormMatch? {
        form.classify(page)
    }

    /// Where a form page matched, as reported in results.
    public func location(pageIndex: Int, match: FormMatch) -> FormLocation {
        FormLocation(id: form.template.form.id, revision: form.template.form.revision, page: pageIndex + 1,
                     rotation: match.rotation, skewDeg: (match.skewDegrees * 100).rounded() / 100,
                     residualPt: (match.residual * 100).rounded() / 100)
    }

    /// Extracts the best-matching form of a whole decoded document (the accuracy harness's and tests' view).
    public func extract(_ document: DecodedDocument) throws(ExtractionError) -> ExtractionResult {
        var timings = ExtractionTimings()
        let located = locateForm(in: document, timings: &timings)
        var result: ExtractionResult
        if let acro = read(acroForm: document.formValues, location: located.map { location(pageIndex: $0.index, match: $0.match) },
                           file: document.file, pages: document.pages.count) {
            result = acro
        } else if let located {
            result = try read(formPage: document.pages[located.index], index: located.index, match: located.match,
                              file: document.file, pages: document.pages.count)
        } else {
            result = noForm(file: document.file, pages: document.pages.count)
        }
        result.timings.classify += timings.classify
        result.timings.register += timings.register
        return result
    }

    /// Reads every field and checkbox of one registered form page; `index` is its 0-based place in the file.
    public func read(formPage page: Page, index: Int, match: FormMatch, file: String, pages: Int) throws(ExtractionError) -> ExtractionResult {
        let ocrStarted = DispatchTime.now()
        var fields: [String: FieldReading] = [:]
        var firsts: [String: FieldReading] = [:]
        for spec in form.template.fields {
            do {
                let read = try readField(spec, on: page, transform: match.transform)
                fields[spec.name] = read.final
                if mode == .calibrate { firsts[spec.name] = read.first }
            } catch {
                throw .recognition(file: file, page: index, error)
            }
        }
        fields = RequestDates.reconciled(fields, template: form.template) { spec, value in finish(spec, raw: value, confidence: 1) }
        var boxes: [String: CheckboxReading] = [:]
        for group in form.template.checkboxGroups {
            boxes[group.name] = readGroup(group, on: page, transform: match.transform)
        }
        var result = ExtractionResult(file: file, pages: pages, form: location(pageIndex: index, match: match),
                                      fields: fields, checkboxes: boxes, method: .ocr)
        result.firstReadings = firsts
        result.timings.ocr = seconds(ocrStarted, .now())
        return result
    }

    /// A fillable PDF's values, exactly and without OCR; nil when the values fill none of this form's fields.
    /// Without a located page (a fillable form flattened oddly) the form is taken to be page 1.
    public func read(acroForm values: [String: FormFieldValue], location: FormLocation?, file: String, pages: Int) -> ExtractionResult? {
        guard form.template.fields.contains(where: { values[$0.name] != nil }) else { return nil }
        var result = fromAcroForm(values, file: file, pages: pages)
        result.form = location ?? FormLocation(id: form.template.form.id, revision: form.template.form.revision,
                                               page: 1, rotation: 0, skewDeg: 0)
        return result
    }

    /// Reads one line of print outside the form, such as the sender's fax header: its text and confidence.
    public func readLine(_ image: GrayImage, dpi: Double) throws(RecognitionError) -> (text: String, confidence: Double) {
        let text = try recognizer.recognize(image, options: RecognitionOptions(layout: .singleLine, resolution: Int(dpi.rounded())))
        return (text.text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces), text.confidence)
    }

    /// The result for a document with no form page: every field empty, required ones to review.
    public func noForm(file: String, pages: Int) -> ExtractionResult {
        ExtractionResult(file: file, pages: pages, form: nil, fields: emptyFields(), checkboxes: emptyCheckboxes(), method: .none)
    }

    private func seconds(_ from: DispatchTime, _ to: DispatchTime) -> Double {
        Double(to.uptimeNanoseconds - from.uptimeNanoseconds) / 1e9
    }

    // MARK: Fields

    func read(_ spec: FieldSpec, on page: Page, transform: PageTransform) throws(RecognitionError) -> FieldReading {
        try readField(spec, on: page, transform: transform).final
    }

    /// A field's final reading, and the first model's first reading (what the early stop judged).
    func readField(_ spec: FieldSpec, on page: Page, transform: PageTransform) throws(RecognitionError) -> (final: FieldReading, first: FieldReading) {
        let scale = policy.ocrDPI / 72
        let box = spec.valueBox
        // Handwriting and typing ride above the line; leave room above the box and a little below.
        let padTop = 3.0, padBottom = 2.0
        let padded = TemplateBox(x: box.x - 2, y: box.y - padTop, width: box.width + 4, height: box.height + padTop + padBottom)
        let gray = ZoneImage.sample(page.image, transform: transform, box: padded, scale: scale)
        let keep = (top: Int(padTop * scale), bottom: Int((padTop + box.height) * scale))
        // A comb's cell borders, in the crop's columns.
        var combLines: [Int] = []
        if let cells = spec.combCells, cells > 0 {
            let cellWidth = box.width / Double(cells)
            for k in 0...cells {
                let x = (box.x + Double(k) * cellWidth - padded.x) * scale
                combLines.append(Int(x.rounded()))
            }
        }
        let zone = ZoneImage.cleaned(gray, scale: scale, keep: keep, combLines: combLines,
                                     sourcePixel: (x: policy.ocrDPI / max(page.xDPI, 1), y: policy.ocrDPI / max(page.yDPI, 1)))
        let minimumInk = Int(2.0 * scale * scale)
        guard zone.inkPixels >= minimumInk, var crop = zone.valueCrop(margin: Int(3 * scale), scale: scale) else {
            // No model reads an empty zone.
            var empty = finish(spec, raw: "", confidence: 0.97)
            empty.evidence.models = 0
            empty.evidence.readings = 0
            return (calibrated(empty, spec: spec), empty)
        }
        if spec.combCells != nil { crop = crop.closingGaps(maxGap: Int(2.5 * scale)) }
        if let folder = ProcessInfo.processInfo.environment["FAXINTAKE_DEBUG_ZONES"] {
            // Developer aid: the exact crops OCR sees. They are PHI; never set this in production.
            FileManager.default.createFile(atPath: "\(folder)/\(spec.name).pgm", contents: Data(crop.pgmData()), attributes: [.posixPermissions: 0o600])
            FileManager.default.createFile(atPath: "\(folder)/\(spec.name).raw.pgm", contents: Data(gray.pgmData()), attributes: [.posixPermissions: 0o600])
        }
        // Read once; when the result is invalid or unsure, read again different ways, with the second
        // model too where there is one, and let the readings vote (FieldBallot). LSTM recognition is
        // sensitive to the margin and to segmentation, and a validator is a better judge of a code than
        // the recogniser's own confidence.
        let allowed = Self.allowedCharacters(for: spec)
        let layout: RecognitionOptions.Layout = (spec.lines ?? 1) > 1 ? .block : .singleLine
        // Each image is made when its reading comes: most fields settle on the first.
        var attempts: [(image: () -> GrayImage, layout: RecognitionOptions.Layout)] = [({ crop }, layout)]
        var paddedCrop: GrayImage?
        func padded8() -> GrayImage {
            if let paddedCrop { return paddedCrop }
            let made = crop.padded(by: Int(5 * scale))
            paddedCrop = made
            return made
        }
        attempts.append((padded8, layout))
        if layout == .singleLine, spec.type != .text, spec.type != .name { attempts.append((padded8, .singleWord)) }
        // Small or coarse glyphs (a 98-dpi fax) read better enlarged; the resolution passed stays the
        // crop's, so the engine sees bigger text rather than a bigger page. Not a block: enlarging four
        // lines of notes is the costliest reading of a form page and gained no field (measured).
        if layout != .block { attempts.append(({ padded8().scaled(by: 1.5) }, layout)) }
        // Last, the zone as resampled, rules and all: the recogniser reads underlined text fairly well,
        // and a g or y whose tail a font draws along the rule keeps it there (rule removal cuts it off).
        // Not for a block: its blank ruled lines come back as rows of dashes and dots (measured: no
        // field gained, and a third of a normal-resolution fax's form-page time spent).
        if layout != .block { attempts.append(({ gray }, layout)) }
        func reading(by reader: TextRecognizer, _ image: GrayImage, _ options: RecognitionOptions) throws(RecognitionError) -> FieldReading {
            let text = try reader.recognize(image, options: options)
            var raw = text.text.split(whereSeparator: \.isNewline).joined(separator: " ")
            if spec.type == .digits { raw = raw.filter { !$0.isWhitespace } }
            let confidence = min(text.confidence, text.wordConfidences.min() ?? text.confidence)
            return finish(spec, raw: raw, confidence: confidence)
        }
        // Sure: valid, and with a calibration, as likely right as the field's role asks (the target
        // accuracy for a key field); without one, the engine's confidence against the review threshold.
        func isSure(_ reading: FieldReading?) -> Bool {
            guard let reading, reading.valid else { return false }
            // Free text and names shown beside the image: the calibrated chance of a whole sentence being
            // exact is low however well it was read, so the second model would read nearly every one. The
            // engine sure of it, and every word known, is enough; the calibrated chance still decides review.
            if spec.importance == .context, spec.type == .text || spec.type == .name, let lexicon {
                let wordsKnown = lexicon.unknownWords(in: reading.value).isEmpty && lexicon.corrected(reading.value, asName: spec.type == .name).changes.isEmpty
                // A block of notes: across four lines its weakest word is rarely sure. Every word known is
                // enough there (measured on both corpora: the second model put right no block the first read wrong,
                // and read a quarter of a paper-faxed form's OCR time).
                if layout == .block { return wordsKnown }
                return wordsKnown && reading.confidence >= policy.reviewBelowConfidence
            }
            // Never sooner than without a calibration: a field the engine itself is unsure of still gets
            // the second model (measured: stopping on the calibrated chance alone lost fields on
            // normal-resolution faxes that the second model reads right).
            guard reading.confidence >= policy.reviewBelowConfidence else { return false }
            if let calibration { return Self.rounded(calibration.probability(reading.evidence)) >= policy.threshold(for: spec.importance) }
            return true
        }
        // Calibrating: the first reading is never taken as sure, so every field has both models' evidence.
        let stopsEarly = mode == .settle
        var ballot = FieldBallot()
        var first: FieldReading?
        var readers: [TextRecognizer] = [recognizer]
        for (makeImage, layout) in attempts {
            let image = makeImage()
            let options = RecognitionOptions(layout: layout, allowedCharacters: allowed, resolution: Int(policy.ocrDPI))
            var engine = 0
            while engine < readers.count {
                ballot.add(try reading(by: readers[engine], image, options), engine: engine)
                if first == nil { first = ballot.best }
                engine += 1
                // The first model is unsure: from here on the second reads every image too, this one
                // included, and a valid value both models read alike settles the field.
                if readers.count == 1, let secondOpinion, !stopsEarly || !isSure(ballot.best) { readers.append(secondOpinion) }
            }
            if readers.count == 1 ? stopsEarly && isSure(ballot.best) : ballot.agreed != nil { break }
        }
        var best = ballot.decision!
        if best.confidence < policy.reviewBelowConfidence, !best.value.isEmpty, !best.issues.contains(.lowConfidence) {
            best.issues.append(.lowConfidence)
            best.needsReview = true
        }
        return (calibrated(withWordsRepaired(best, spec: spec), spec: spec), first!)
    }

    /// With a calibration, the reading's confidence becomes the chance it is right, and review follows the
    /// field's role: a key field must reach the target accuracy, a context field the review threshold (and
    /// a word-list repair still goes to a person). Invalid values and empty required fields always need review.
    private func calibrated(_ reading: FieldReading, spec: FieldSpec) -> FieldReading {
        guard let calibration else { return reading }
        var r = reading
        // Rounded before comparing, so the stored confidence and the decision never disagree.
        r.confidence = Self.rounded(calibration.probability(r.evidence))
        let low = r.confidence < policy.threshold(for: spec.importance)
        r.issues.removeAll { $0 == .lowConfidence }
        if low, !r.value.isEmpty { r.issues.append(.lowConfidence) }
        let repaired = r.issues.contains { if case .repairedWord = $0 { true } else { false } }
        let unknown = r.issues.contains { if case .unknownWord = $0 { true } else { false } }
        r.needsReview = !r.valid || low || (spec.required && r.value.isEmpty) || (spec.importance == .context && repaired) || unknown
        return r
    }

    /// Four places: enough to tell 0.998 from 0.9975.
    static func rounded(_ p: Double) -> Double { (p * 10000).rounded() / 10000 }

    /// Names and free text with misread words replaced from the word list; a repaired field always
    /// goes to review, and its issues say what was changed.
    private func withWordsRepaired(_ reading: FieldReading, spec: FieldSpec) -> FieldReading {
        guard let lexicon, spec.type == .name || spec.type == .text else { return reading }
        let (text, changes) = lexicon.corrected(reading.value, asName: spec.type == .name)
        guard !changes.isEmpty else {
            // Nothing to repair, but a word no list knows is as likely a misread the repair could not place.
            let unknown = lexicon.unknownWords(in: reading.value)
            guard !unknown.isEmpty else { return reading }
            var flagged = reading
            flagged.issues += unknown.map { .unknownWord($0) }
            flagged.needsReview = true
            return flagged
        }
        var repaired = finish(spec, raw: text, confidence: min(reading.confidence, 0.85))
        repaired.issues += changes.map { .repairedWord(read: $0.0, as: $0.1) }
        repaired.evidence = reading.evidence
        repaired.evidence.corrected = true
        repaired.evidence.valid = repaired.valid
        repaired.evidence.empty = repaired.value.isEmpty
        repaired.needsReview = true
        return repaired
    }

    private func finish(_ spec: FieldSpec, raw: String, confidence: Double) -> FieldReading {
        let outcome = FieldValidation.validate(raw, field: spec)
        var issues = outcome.issues
        let confidenceIn = confidence
        var confidence = confidence
        if !outcome.valid { confidence = min(confidence, 0.5) }
        if outcome.issues.contains(where: { if case .correctedConfusion = $0 { true } else { false } }) { confidence = min(confidence, 0.85) }
        let lowConfidence = confidence < policy.reviewBelowConfidence
        if lowConfidence, !outcome.value.isEmpty { issues.append(.lowConfidence) }
        let needsReview = !outcome.valid || lowConfidence || (spec.required && outcome.value.isEmpty)
        let corrected = outcome.issues.contains { if case .correctedConfusion = $0 { true } else { false } }
        // One model's one reading; the ballot fills in who else read it.
        let evidence = ReadingEvidence(rawConfidence: confidenceIn, models: 1, agreed: true, share: 1,
                                       valid: outcome.valid, corrected: corrected, empty: outcome.value.isEmpty, readings: 1, type: spec.type)
        return FieldReading(value: outcome.value, normalized: outcome.normalized, confidence: (confidence * 1000).rounded() / 1000,
                            valid: outcome.valid, needsReview: needsReview, issues: issues, evidence: evidence)
    }

    static func allowedCharacters(for spec: FieldSpec) -> String? {
        switch spec.validator {
        case .memberID, .npi, .integer: return "0123456789"
        case .date: return "0123456789/"
        case .phone: return "0123456789()-. "
        case .tin: return "0123456789-"
        case .icd10: return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789."
        case .cptHCPCS: return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        // The form is filled in English: letters, digits and the punctuation of names, addresses and
        // notes. Without this, fax-degraded glyphs come back as ¢, « or curly quotes.
        case nil: return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:'\"-()/&#%+@!?"
        }
    }

    // MARK: Checkboxes

    func readGroup(_ group: CheckboxGroupSpec, on page: Page, transform: PageTransform) -> CheckboxReading {
        let scale = policy.ocrDPI / 72
        // A received pixel, in window pixels: how far a faxed frame's edge wanders.
        let received = page.receivedDPI
        let sourcePixel = max(policy.ocrDPI / max(received.x, 1), policy.ocrDPI / max(received.y, 1))
        var marks: [String: Double] = [:]
        for option in group.options {
            let margin = 3.0
            let window = TemplateBox(x: option.box.x - margin, y: option.box.y - margin,
                                     width: option.box.width + 2 * margin, height: option.box.height + 2 * margin)
            let gray = CheckboxInk.withoutCrossingLines(ZoneImage.sample(page.image, transform: transform, box: window, scale: scale))
            if let folder = ProcessInfo.processInfo.environment["FAXINTAKE_DEBUG_ZONES"] {
                // Developer aid, as for the field crops.
                FileManager.default.createFile(atPath: "\(folder)/box-\(group.name)-\(option.value).pgm", contents: Data(gray.pgmData()),
                                               attributes: [.posixPermissions: 0o600])
            }
            let side = option.box.width * scale, marginPixels = Int((margin * scale).rounded())
            let share = CheckboxInk.share(in: gray, side: side, margin: marginPixels, sourcePixel: sourcePixel)
                ?? CheckboxInk.innerShare(in: gray, side: side, margin: marginPixels)
            marks[option.value] = (share * 1000).rounded() / 1000
        }
        return decide(group, marks: marks)
    }

    func decide(_ group: CheckboxGroupSpec, marks: [String: Double]) -> CheckboxReading {
        let selected = group.options.map(\.value).filter { (marks[$0] ?? 0) >= policy.checkboxMarkedAbove }
        let uncertain = group.options.filter {
            let m = marks[$0.value] ?? 0
            return m >= policy.checkboxEmptyBelow && m < policy.checkboxMarkedAbove
        }
        // Confidence: how far the least clear box sits from the decision line.
        let margins = group.options.map { option -> Double in
            let m = marks[option.value] ?? 0
            return m >= policy.checkboxMarkedAbove
                ? min(1, (m - policy.checkboxMarkedAbove) / policy.checkboxMarkedAbove + 0.5)
                : min(1, (policy.checkboxMarkedAbove - m) / policy.checkboxMarkedAbove + 0.5)
        }
        var confidence = margins.min() ?? 1
        var problem: CheckboxProblem?
        if group.isOneOf && selected.count == 0 { problem = CheckboxProblem.none }
        if group.isOneOf && selected.count > 1 { problem = .several }
        if !uncertain.isEmpty { confidence = min(confidence, 0.6) }
        let needsReview = !uncertain.isEmpty || problem == .several || (problem == CheckboxProblem.none && group.required)
        return CheckboxReading(selected: selected, confidence: (confidence * 1000).rounded() / 1000,
                               needsReview: needsReview, problem: problem, marks: marks)
    }

    // MARK: Fillable PDFs

    private func fromAcroForm(_ values: [String: FormFieldValue], file: String, pages: Int) -> ExtractionResult {
        var fields: [String: FieldReading] = [:]
        for spec in form.template.fields {
            var raw = ""
            if case .text(let text)? = values[spec.name] { raw = text }
            var reading = finish(spec, raw: raw, confidence: 1.0)
            // Typed into the form: exact, whatever its validity.
            reading.confidence = 1.0
            reading.value = FieldValidation.collapseWhitespace(raw)
            reading.needsReview = !reading.valid || (spec.required && reading.value.isEmpty)
            reading.issues.removeAll { $0 == .lowConfidence }
            fields[spec.name] = reading
        }
        var boxes: [String: CheckboxReading] = [:]
        for group in form.template.checkboxGroups {
            let selected = group.options.map(\.value).filter { values["\(group.name).\($0)"] == .checkbox(true) }
            var problem: CheckboxProblem?
            if group.isOneOf && selected.isEmpty { problem = CheckboxProblem.none }
            if group.isOneOf && selected.count > 1 { problem = .several }
            let marks = Dictionary(uniqueKeysWithValues: group.options.map { ($0.value, selected.contains($0.value) ? 1.0 : 0.0) })
            boxes[group.name] = CheckboxReading(selected: selected, confidence: 1.0,
                                                needsReview: problem == .several || (problem == CheckboxProblem.none && group.required),
                                                problem: problem, marks: marks)
        }
        return ExtractionResult(file: file, pages: pages, form: nil, fields: fields, checkboxes: boxes, method: .acroform)
    }

    private func emptyFields() -> [String: FieldReading] {
        Dictionary(uniqueKeysWithValues: form.template.fields.map { spec in
            (spec.name, FieldReading(value: "", normalized: "", confidence: 0, valid: !spec.required,
                                     needsReview: spec.required, issues: [.noFormPage],
                                     evidence: ReadingEvidence(rawConfidence: 0, models: 0, agreed: false, share: 0, valid: !spec.required,
                                                               corrected: false, empty: true, readings: 0, type: spec.type)))
        })
    }

    private func emptyCheckboxes() -> [String: CheckboxReading] {
        Dictionary(uniqueKeysWithValues: form.template.checkboxGroups.map { group in
            (group.name, CheckboxReading(selected: [], confidence: 0, needsReview: group.required,
                                         problem: group.isOneOf ? CheckboxProblem.none : nil, marks: [:]))
        })
    }
}
