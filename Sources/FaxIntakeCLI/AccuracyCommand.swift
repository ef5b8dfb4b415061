import ArgumentParser
import FaxImaging
import FormExtraction
import Foundation
import IntakePipeline
import IntakeQueue

/// `faxintake accuracy`: score extraction against a corpus with ground truth.
struct AccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Measure extraction accuracy over documents with NNNN.truth.json ground truth.",
        discussion: """
            Exact match after trimming and collapsing whitespace. Prints per-field and per-kind accuracy, checkbox \
            accuracy, form finding and the silent-error rate. Documents go through the same processor as `extract`, \
            reference checks included, unless --extraction-only. With an expected.json (the reference folder's, \
            found beside the corpus), also scores member status, servicing network and member IDs.
            """
    )

    @Argument(help: "Folder with NNNN.tif/NNNN.pdf and NNNN.truth.json.")
    var folder: String = "../shared/corpus-dev"

    @OptionGroup var options: PipelineOptions

    @Option(help: "Only documents whose name contains this text.")
    var only: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "List every wrong value. These are PHI: corpus data only.")
    var showMisses = false

    @Flag(help: "Score the extractor alone: no member roster, provider directory or ICD-10-CM checks.")
    var extractionOnly = false

    @Option(help: ArgumentHelp("What the reference lookups must conclude per file (default: ../reference/expected.json beside the corpus, when present).", valueName: "path"))
    var expected: String?

    @Flag(help: "Also print the automation curve: per confidence threshold, the share of key fields automated and their accuracy; and at the pipeline's own rule, key fields automated, wrong and not flagged, and documents straight through.")
    var curve = false

    func run() throws {
        let configuration = try options.load()
        let resources = try loadResources(configuration)
        let extractor = try makeExtractor(resources)
        var items = AccuracyHarness.documents(in: folder)
        if let only { items = items.filter { $0.document.contains(only) } }
        guard !items.isEmpty else {
            printError("error: \(folder): no documents with .truth.json files")
            throw SysExit.noInput
        }
        let harness = AccuracyHarness(decoder: DocumentDecoder(limits: configuration.limits))
        var report: AccuracyReport
        var lookups = ReferenceScore()
        if extractionOnly {
            report = harness.run(items, extractor: extractor)
        } else {
            let conclusions = try expectedConclusions()
            let processor = DocumentProcessor(configuration: configuration, resources: resources, store: SQLiteQueueStore.inMemory())
            report = harness.run(items, template: resources.form.template) { path in
                let checked = try Self.checkedReading(path, processor: processor, extractor: extractor)
                lookups.add(checked, file: path, expected: conclusions, template: resources.form.template)
                return checked.result
            }
        }
        if !showMisses { report.misses = [] }
        let automation = AutomationCurve(report)
        if json {
            if curve {
                struct Both: Encodable { var accuracy: AccuracyReport; var curve: AutomationCurve }
                print(JSONOutput.pretty(Both(accuracy: report, curve: automation)))
            } else {
                print(JSONOutput.pretty(report))
            }
            return
        }
        print(render(report))
        if lookups.judged > 0 { print(lookups.render()) }
        if curve {
            let rule = resources.calibration == nil
                ? String(format: "no calibration: engine confidence against review_below_confidence %.3f", configuration.extraction.reviewBelowConfidence)
                : String(format: "calibrated: key fields against target_accuracy %.4g", configuration.extraction.targetAccuracy)
            print(Self.render(automation, rule: rule))
        }
    }

    static func render(_ c: AutomationCurve, rule: String) -> String {
        var out = ["automation curve (key fields: \(c.keyFields)):", "  threshold  automated            accuracy of automated"]
        for p in c.points {
            out.append(String(format: "  %9.3f  %6.2f%% (%4d/%4d)  %7.3f%% (%d wrong)", p.threshold, p.automatedShare * 100, p.automated, p.total,
                              p.accuracy * 100, p.automated - p.automatedCorrect))
        }
        func share(_ n: Int, _ d: Int) -> String { String(format: "%.2f%% (%d/%d)", d == 0 ? 0 : Double(n) / Double(d) * 100, n, d) }
        out.append("at the pipeline's rule (\(rule)):")
        out.append("  key fields automated:          \(share(c.keyFieldsAutomated, c.keyFields))")
        out.append("  key fields wrong, not flagged: \(share(c.keyFieldsWrongUnflagged, c.keyFields))")
        out.append("  documents straight through:    \(share(c.straightThrough, c.documents))")
        out.append("  documents held by a key checkbox group alone: \(c.heldByCheckboxes)")
        out.append("  key fields flagged, by field (right anyway):")
        for (name, f) in c.flaggedByField.sorted(by: { $0.value.flagged > $1.value.flagged }) {
            out.append("    \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(f.flagged) (\(f.right))")
        }
        return out.joined(separator: "\n")
    }

    func render(_ r: AccuracyReport) -> String {
        func pct(_ t: AccuracyReport.Tally) -> String { String(format: "%6.2f%% (%d/%d)", t.rate * 100, t.correct, t.total) }
        var out: [String] = []
        out.append("documents: \(r.documents)")
        out.append("form page found:   \(pct(r.formFound))")
        out.append("orientation:       \(pct(r.orientation))")
        out.append("fields exact:      \(pct(r.fields))")
        out.append("checkboxes:        \(pct(r.checkboxes))")
        out.append(String(format: "silent errors:     %6.2f%% (%d of %d fields wrong and not flagged)", r.silentErrorRate * 100, r.silentErrors, r.fields.total))
        out.append(String(format: "flagged for review: %d fields", r.reviewFlagged))
        out.append("by kind (fields / checkboxes):")
        for (kind, t) in r.fieldsByKind.sorted(by: { $0.key < $1.key }) {
            out.append("  \(kind.padding(toLength: 16, withPad: " ", startingAt: 0)) \(pct(t))  \(r.checkboxesByKind[kind].map(pct) ?? "")")
        }
        out.append("by field:")
        for (name, t) in r.fieldsByName.sorted(by: { $0.key < $1.key }) {
            out.append("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(pct(t))")
        }
        let times = r.secondsPerDocument.values.sorted()
        if !times.isEmpty {
            out.append(String(format: "seconds per document: median %.2f, max %.2f", times[times.count / 2], times.last!))
        }
        for f in r.failures { out.append("failed: \(f)") }
        for m in r.misses {
            out.append("miss \(m.file) \(m.field): expected '\(m.expected)' got '\(m.got)'\(m.needsReview ? " (flagged)" : " (SILENT)") conf \(m.confidence)")
        }
        return out.joined(separator: "\n")
    }
    /// The first request of a document as `extract` gives it: fields after the reference checks.
    static func checkedReading(_ path: String, processor: DocumentProcessor, extractor: FormExtractor) throws -> CheckedReading {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let record = IntakeRecord(fileName: path, channel: .fax, bytes: bytes)
        let document: DocumentRequests
        do throws(StageFailure) { document = try processor.requests(try processor.pages(record), extractor: extractor) } catch {
            throw ValidationError("\(path): \(error.reason)")
        }
        let draft = document.requests[0]
        var result = draft.extraction
        for (name, field) in draft.content.fields {
            let evidence = result.fields[name]?.evidence
            result.fields[name] = FieldReading(value: field.value, normalized: field.normalized, confidence: field.confidence,
                                               valid: field.valid, needsReview: field.needsReview, issues: [], evidence: evidence)
        }
        return CheckedReading(result: result, content: draft.content)
    }

    /// What the lookups must conclude, by corpus file (`corpus-dev/0000.tif`), if a file says.
    func expectedConclusions() throws -> [String: ExpectedConclusion] {
        let standard = URL(fileURLWithPath: folder).deletingLastPathComponent().appendingPathComponent("reference/expected.json").path
        let path = expected ?? standard
        guard FileManager.default.fileExists(atPath: path) else {
            if expected != nil { printError("error: \(path): no such file"); throw SysExit.noInput }
            return [:]
        }
        do { return try JSONDecoder().decode([String: ExpectedConclusion].self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            printError("error: \(path): not a map of file to {member, servicing_network}: \(error)")
            throw SysExit.dataError
        }
    }
}

/// One document's first request after the reference checks.
struct CheckedReading {
    var result: ExtractionResult
    var content: ItemContent
}

/// One entry of the reference folder's expected.json.
struct ExpectedConclusion: Decodable {
    var member: String
    var servicingNetwork: String
    enum CodingKeys: String, CodingKey { case member, servicingNetwork = "servicing_network" }
}

/// Member status, servicing network and member IDs against what the lookups must conclude.
struct ReferenceScore {
    var judged = 0
    var memberStatus = 0
    var network = 0
    var memberIDs = 0
    var memberIDsTotal = 0
    var mismatches: [String] = []

    mutating func add(_ checked: CheckedReading, file: String, expected: [String: ExpectedConclusion], template: FormTemplate) {
        let url = URL(fileURLWithPath: file)
        let key = url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
        guard let want = expected[key] else { return }
        judged += 1
        // expected.json says `member_not_eligible` / `member_not_found`; the item says `not_eligible` / `not_found`.
        let status = checked.content.member?.status.rawValue ?? "none"
        let wantStatus = want.member.hasPrefix("member_") ? String(want.member.dropFirst("member_".count)) : want.member
        if status == wantStatus { memberStatus += 1 } else { mismatches.append("\(key): member \(status), expected \(wantStatus)") }
        let network = checked.content.servicingProvider?.network.rawValue ?? "none"
        if network == want.servicingNetwork { self.network += 1 } else { mismatches.append("\(key): servicing network \(network), expected \(want.servicingNetwork)") }
        if let truth = try? DocumentTruth.load(file.replacingOccurrences(of: "." + url.pathExtension, with: ".truth.json")) {
            for spec in template.fields(role: .memberID) {
                guard let id = truth.fields[spec.name] else { continue }
                memberIDsTotal += 1
                if AccuracyHarness.same(checked.content.fields[spec.name]?.value ?? "", id) { memberIDs += 1 }
            }
        }
    }

    func render() -> String {
        func share(_ n: Int, _ d: Int) -> String { String(format: "%.2f%% (%d/%d)", d == 0 ? 0 : Double(n) / Double(d) * 100, n, d) }
        var out = ["reference lookups (\(judged) documents with expected conclusions):",
                   "  member status as expected:     \(share(memberStatus, judged))",
                   "  servicing network as expected: \(share(network, judged))",
                   "  member IDs right:              \(share(memberIDs, memberIDsTotal))"]
        out += mismatches.map { "  \($0)" }
        return out.joined(separator: "\n")
    }
}
