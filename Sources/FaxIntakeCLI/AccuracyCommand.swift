import ArgumentParser
import FaxImaging
import FormExtraction
import Foundation

/// `faxintake accuracy`: score extraction against a corpus with ground truth.
struct AccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Measure extraction accuracy over documents with NNNN.truth.json ground truth.",
        discussion: "Exact match after trimming and collapsing whitespace. Prints per-field and per-kind accuracy, checkbox accuracy, form finding and the silent-error rate."
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
        var report = AccuracyHarness(decoder: DocumentDecoder(limits: configuration.limits)).run(items, extractor: extractor)
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
}
