import ArgumentParser
import FaxImaging
import FormExtraction
import Foundation
import IntakePipeline

/// `faxintake calibrate`: fit the confidence calibration on corpora with ground truth.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit the confidence calibration on documents with NNNN.truth.json ground truth.",
        discussion: """
            Reads every document without stopping at the first model's first reading, so each field gives two \
            samples: its evidence after that first reading (what the early stop judges) and its final evidence \
            (what the stored confidence comes from), each marked right or wrong as `accuracy` counts it. Fits a \
            logistic model per field type, writes the calibration file, and prints reliability tables (predicted \
            against observed accuracy per confidence bin) in-sample and held out: fitted on the other corpora and \
            scored on each (with one corpus, on alternate documents).
            """
    )

    @Argument(help: "Folders with NNNN.tif/NNNN.pdf and NNNN.truth.json.")
    var corpora: [String]

    @OptionGroup var options: PipelineOptions

    @Option(help: ArgumentHelp("Where to write the calibration (default: the pipeline's extraction.calibration, else calibration.json beside the pipeline file).", valueName: "path"))
    var output: String?

    @Option(help: ArgumentHelp("Also save the samples (evidence and right or wrong per field; no values) to this file.", valueName: "path"))
    var saveSamples: String?

    @Option(help: ArgumentHelp("Fit from samples saved by --save-samples instead of reading the corpora again.", valueName: "path"))
    var fromSamples: String?

    @Flag(help: "Print the reliability tables as JSON.")
    var json = false

    /// What `--save-samples` writes: enough to refit without reading the documents again.
    struct SampleFile: Codable {
        var corpora: [String]
        var samples: [CalibrationSample]
    }

    func run() throws {
        var configuration = try options.load()
        // The calibration being replaced plays no part: the calibrating loop never stops early, and the
        // samples carry the evidence, not the confidence a calibration made of it.
        let target = output.map(PipelineStateOptions.absolute) ?? configuration.calibration
            ?? URL(fileURLWithPath: configuration.file).deletingLastPathComponent().appendingPathComponent("calibration.json").path
        configuration.calibration = nil
        let names = corpora.map { URL(fileURLWithPath: $0).standardizedFileURL.lastPathComponent }
        let resources = try loadResources(configuration)
        let key = Set(resources.form.template.fields.filter { $0.importance == .key }.map(\.name))
        var samples: [CalibrationSample]
        if let fromSamples {
            do {
                samples = try JSONDecoder().decode(SampleFile.self, from: Data(contentsOf: URL(fileURLWithPath: fromSamples))).samples
            } catch {
                printError("error: \(fromSamples): not a samples file (\(error))")
                throw SysExit.noInput
            }
        } else {
            samples = try collect(resources: resources, configuration: configuration)
        }
        if let saveSamples {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(SampleFile(corpora: names, samples: samples)).write(to: URL(fileURLWithPath: saveSamples))
        }
        guard !samples.isEmpty else {
            printError("error: no fields read by OCR in \(corpora.joined(separator: ", ")): nothing to fit")
            throw SysExit.noInput
        }
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let calibration = ConfidenceCalibration.fit(samples, corpora: names, fitted: day)
        do { try calibration.write(to: target) } catch {
            printError("error: \(target): cannot write the calibration (\(error.localizedDescription))")
            throw SysExit.cantCreate
        }

        // Held out: with several corpora each is scored by a fit on the others; with one, alternate documents.
        let acrossCorpora = Set(samples.map(\.corpus)).count > 1
        func fold(_ s: CalibrationSample) -> Int { acrossCorpora ? s.corpus : s.document % 2 }
        let folds = Set(samples.map(fold)).sorted()
        var heldOut = [Double](repeating: 0, count: samples.count)
        for f in folds {
            let rest = ConfidenceCalibration.fit(samples.filter { fold($0) != f })
            for i in samples.indices where fold(samples[i]) == f { heldOut[i] = rest.probability(samples[i].evidence) }
        }
        let inSample = samples.map { calibration.probability($0.evidence) }
        func tables(_ p: [Double]) -> [String: ReliabilityTable] {
            func table(_ keep: (CalibrationSample) -> Bool) -> ReliabilityTable {
                ReliabilityTable(samples.indices.filter { keep(samples[$0]) }.map { (p[$0], samples[$0].correct) })
            }
            return ["final": table { $0.stage == .final }, "first": table { $0.stage == .first },
                    "key_final": table { $0.stage == .final && key.contains($0.field) }]
        }
        let report = Report(calibration: target, corpora: names, samples: samples.count,
                            wrong: samples.filter { !$0.correct }.count, inSample: tables(inSample), heldOut: tables(heldOut))
        if json { print(JSONOutput.pretty(report)); return }
        print("wrote \(target): \(samples.count) samples (\(report.wrong) wrong) from \(names.joined(separator: ", "))")
        for type in calibration.models.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let m = calibration.models[type]!
            print("  \(type.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(m.samples) samples, \(m.wrong) wrong")
        }
        let held = acrossCorpora ? "held out (fitted on the other corpora)" : "held out (fitted on alternate documents)"
        for (title, set) in [("in-sample", report.inSample), (held, report.heldOut)] {
            for (part, label) in [("final", "every field, final reading"), ("first", "every field, first model's first reading"),
                                  ("key_final", "key fields, final reading")] {
                print("")
                print(set[part]!.render(title: "\(title): \(label)"))
            }
        }
    }

    struct Report: Encodable {
        var calibration: String
        var corpora: [String]
        var samples: Int
        var wrong: Int
        var inSample: [String: ReliabilityTable]
        var heldOut: [String: ReliabilityTable]

        enum CodingKeys: String, CodingKey { case calibration, corpora, samples, wrong, inSample = "in_sample", heldOut = "held_out" }
    }

    /// Reads every document of every corpus in calibration mode, two samples per field read by OCR.
    private func collect(resources: PipelineResources, configuration: PipelineConfiguration) throws -> [CalibrationSample] {
        let extractor: FormExtractor
        do { extractor = try resources.makeExtractor(calibrated: false) } catch {
            printError("error: \(error.reason)")
            throw SysExit.software
        }
        extractor.mode = .calibrate
        let decoder = DocumentDecoder(limits: configuration.limits)
        var samples: [CalibrationSample] = []
        for (corpus, folder) in corpora.enumerated() {
            let items = AccuracyHarness.documents(in: folder)
            guard !items.isEmpty else {
                printError("error: \(folder): no documents with .truth.json files")
                throw SysExit.noInput
            }
            for (index, item) in items.enumerated() {
                let truth: DocumentTruth
                let result: ExtractionResult
                do {
                    truth = try DocumentTruth.load(item.truth)
                    result = try extractor.extract(try decoder.decode(path: item.document))
                } catch {
                    printError("skipped \(item.document): \(error)")
                    continue
                }
                printError("read \(URL(fileURLWithPath: item.document).lastPathComponent) (\(result.method.rawValue))")
                // A fillable form's values are exact, and a document with no form page has nothing read:
                // neither tells how far OCR can be trusted.
                guard result.method == .ocr else { continue }
                for (name, expected) in truth.fields.sorted(by: { $0.key < $1.key }) {
                    guard let final = result.fields[name], let first = result.firstReadings[name] else { continue }
                    samples.append(CalibrationSample(evidence: first.evidence, correct: AccuracyHarness.same(first.value, expected),
                                                     corpus: corpus, document: index, field: name, stage: .first))
                    samples.append(CalibrationSample(evidence: final.evidence, correct: AccuracyHarness.same(final.value, expected),
                                                     corpus: corpus, document: index, field: name, stage: .final))
                }
            }
        }
        return samples
    }
}
