import ArgumentParser
import FaxImaging
import Foundation
import IntakePipeline
import Logging

/// `faxintake bench run`: end-to-end throughput, latency, memory and stage profile, with references.
struct BenchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Benchmark the whole pipeline against the tesseract CLI and OCRmyPDF on the same pages.",
        discussion: """
            1. Throughput: N copies of the corpus (each copy made unique) dropped at once, then one \
            `run --once` pass; pages and documents per minute. 2. Latency: documents dropped into a watched \
            spool at a steady page rate; drop-to-queued p50/p95/max. 3. Memory: peak RSS and RSS over time. \
            4. Time per stage. 5. References on one copy of the same pages, in the same run: the tesseract CLI \
            (OMP_THREAD_LIMIT=1, one process per core) and `ocrmypdf --jobs <cores>`, each as a ratio \
            FaxIntake pages/min ÷ reference pages/min. Figures only: nothing here passes or fails.
            """
    )

    @Option(help: ArgumentHelp("Documents to benchmark with (TIFFs with sidecars, PDFs).", valueName: "folder"))
    var corpus: String = "../shared/corpus-dev"

    @Option(help: "Copies of the corpus for the throughput run (default: enough for 1,000 pages).")
    var copies: Int?

    @Option(help: "Arrival rate for the latency run, pages per minute.")
    var rate: Double = 20

    @Option(help: "Length of the latency run, seconds (0 skips it).")
    var steadySeconds: Double = 180

    @Flag(help: "Skip the tesseract and OCRmyPDF references.")
    var noReference = false

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let configuration = try options.load()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "faxintake.bench")
        let sources = PipelineBenchmark.sources(in: corpus)
        guard !sources.isEmpty else {
            printError("error: \(corpus): no TIFF or PDF documents")
            throw SysExit.noInput
        }
        let corpusPages = sources.map(\.pages).reduce(0, +)
        let n = copies ?? max(1, Int((1000.0 / Double(max(corpusPages, 1))).rounded(.up)))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: work) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let bench = PipelineBenchmark(configuration: configuration, work: work)

        note("corpus: \(sources.count) documents, \(corpusPages) pages; throughput run: \(n) copies = \(n * corpusPages) pages; \(cores) cores")
        let burst = try bench.burst(sources, copies: n, logger: logger)
        note(String(format: "throughput: %.1f pages/min, %.1f documents/min (%d pages in %.1f s; %d decode + %d extract workers)",
                    burst.pagesPerMinute, burst.documentsPerMinute, burst.pages, burst.seconds, burst.decodeWorkers, burst.extractWorkers))
        var steady: PipelineBenchmark.Figures?
        if steadySeconds > 0 {
            note(String(format: "latency run: %.0f pages/min for %.0f s…", rate, steadySeconds))
            steady = try bench.steady(sources, pagesPerMinute: rate, seconds: steadySeconds, logger: logger)
        }
        var references: [Reference] = []
        if !noReference {
            let pagesDir = work + "/reference"
            try FileManager.default.createDirectory(atPath: pagesDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            references.append(tesseractReference(sources, folder: pagesDir, cores: cores))
            references.append(ocrmypdfReference(sources, folder: pagesDir, cores: cores))
        }
        let report = BenchReport(burst: burst, steady: steady, references: references.map {
            var r = $0
            if let ppm = r.pagesPerMinute, ppm > 0 { r.ratio = burst.pagesPerMinute / ppm }
            return r
        })
        if json { print(JSONOutput.pretty(report)) } else { print(report.text) }
    }

    private func note(_ message: String) { printError(message) }

    /// A reference measurement on one copy of the corpus.
    struct Reference: Encodable {
        var name: String
        var pages: Int
        var seconds: Double?
        var pagesPerMinute: Double?
        var ratio: Double?
        var unavailable: String?
    }

    /// The tesseract CLI over every page, OMP_THREAD_LIMIT=1, one process per core.
    private func tesseractReference(_ sources: [PipelineBenchmark.Source], folder: String, cores: Int) -> Reference {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tesseract") else {
            return Reference(name: "tesseract CLI", pages: 0, unavailable: "tesseract is not installed (apt-get install tesseract-ocr)")
        }
        var images: [(String, Int)] = []
        let decoder = DocumentDecoder()
        for (i, source) in sources.enumerated() {
            guard let document = try? decoder.decode(path: source.document) else { continue }
            for page in document.pages {
                let path = "\(folder)/doc\(i)-p\(page.provenance.index + 1).pgm"
                FileManager.default.createFile(atPath: path, contents: Data(page.image.pgmData()), attributes: [.posixPermissions: 0o600])
                images.append((path, Int(page.xDPI)))
            }
        }
        note("reference: tesseract CLI on \(images.count) pages, \(cores) processes…")
        let seconds = runParallel(images.map { ["/usr/bin/tesseract", $0.0, "stdout", "--dpi", String($0.1)] }, width: cores)
        return Reference(name: "tesseract CLI (\(cores) processes, OMP_THREAD_LIMIT=1)", pages: images.count, seconds: seconds,
                         pagesPerMinute: Double(images.count) / seconds * 60)
    }

    /// `ocrmypdf --jobs <cores>` on the same documents as PDFs (faxes converted with tiff2pdf beforehand).
    private func ocrmypdfReference(_ sources: [PipelineBenchmark.Source], folder: String, cores: Int) -> Reference {
        guard let ocrmypdf = ["/usr/bin/ocrmypdf", "/usr/local/bin/ocrmypdf"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return Reference(name: "ocrmypdf", pages: 0, unavailable: "ocrmypdf is not installed (scripts/bench.sh installs it)")
        }
        var pdfs: [String] = []
        for (i, source) in sources.enumerated() {
            if source.channel == .mail { pdfs.append(source.document); continue }
            let out = "\(folder)/doc\(i).pdf"
            if runParallel([["/usr/bin/tiff2pdf", "-o", out, source.document]], width: 1) >= 0, FileManager.default.fileExists(atPath: out) {
                pdfs.append(out)
            }
        }
        let pages = sources.map(\.pages).reduce(0, +)
        note("reference: ocrmypdf --jobs \(cores) on \(pdfs.count) documents…")
        let commands = pdfs.enumerated().map { i, pdf in
            [ocrmypdf, "--jobs", String(cores), "--force-ocr", "--output-type", "pdf", "--optimize", "0", "--quiet", pdf, "\(folder)/ocr-\(i).pdf"]
        }
        let seconds = runParallel(commands, width: 1)
        return Reference(name: "ocrmypdf --jobs \(cores)", pages: pages, seconds: seconds, pagesPerMinute: Double(pages) / seconds * 60)
    }

    /// Runs commands, `width` at a time, and returns the wall time in seconds.
    private func runParallel(_ commands: [[String]], width: Int) -> Double {
        let started = Date()
        let slots = DispatchSemaphore(value: max(1, width))
        let group = DispatchGroup()
        for command in commands {
            slots.wait()
            group.enter()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            var environment = ProcessInfo.processInfo.environment
            environment["OMP_THREAD_LIMIT"] = "1"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.terminationHandler = { _ in slots.signal(); group.leave() }
            do { try process.run() } catch { slots.signal(); group.leave() }
        }
        group.wait()
        return Date().timeIntervalSince(started)
    }
}

/// The benchmark's figures, as text or JSON.
struct BenchReport: Encodable {
    var burst: PipelineBenchmark.Figures
    var steady: PipelineBenchmark.Figures?
    var references: [BenchRunCommand.Reference]

    var text: String {
        var out: [String] = []
        out.append("== throughput (burst, run --once)")
        out.append(String(format: "  %d documents, %d pages in %.1f s: %.1f pages/min, %.1f documents/min",
                          burst.documents, burst.pages, burst.seconds, burst.pagesPerMinute, burst.documentsPerMinute))
        out.append("  workers: \(burst.decodeWorkers) decode, \(burst.extractWorkers) extract, 1 commit; \(burst.queued) queued, \(burst.failed) failed")
        out.append(String(format: "  peak RSS %.0f MB", burst.peakRSSMB))
        out.append(rssLine(burst))
        out.append("== time per stage (summed over workers)")
        let total = burst.stages.map(\.seconds).reduce(0, +)
        for s in burst.stages {
            out.append("  " + s.stage.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%8.1f s  %5.1f%%  (%d × %.1f ms)", s.seconds,
                              total > 0 ? s.seconds / total * 100 : 0, s.count, s.count > 0 ? s.seconds / Double(s.count) * 1000 : 0))
        }
        if let steady {
            let l = steady.latencies
            func q(_ p: Double) -> Double { l.isEmpty ? 0 : l[min(l.count - 1, Int(Double(l.count - 1) * p))] }
            out.append("== latency (steady arrivals)")
            out.append(String(format: "  %d documents, %d pages over %.0f s (%.1f pages/min offered)",
                              steady.documents, steady.pages, steady.seconds, Double(steady.pages) / max(steady.seconds, 1) * 60))
            out.append(String(format: "  drop → queued: p50 %.2f s, p95 %.2f s, max %.2f s (%d measured)", q(0.5), q(0.95), l.last ?? 0, l.count))
            out.append(String(format: "  peak RSS %.0f MB", steady.peakRSSMB))
        }
        out.append("== references (same pages, same run)")
        for r in references {
            if let why = r.unavailable { out.append("  \(r.name): \(why)"); continue }
            out.append(String(format: "  %@: %d pages in %.1f s = %.1f pages/min; FaxIntake ÷ reference = %.2f×",
                              r.name as NSString, r.pages, r.seconds ?? 0, r.pagesPerMinute ?? 0, r.ratio ?? 0))
        }
        return out.joined(separator: "\n")
    }

    /// Median RSS in each tenth of the run: flat means no leak; spikes are single large documents.
    private func rssLine(_ f: PipelineBenchmark.Figures) -> String {
        let s = f.rssSeries
        guard s.count >= 10 else { return "  RSS over time: run too short to show a trend" }
        let tenths = (0..<10).map { i -> Int in
            let slice = s[(i * s.count / 10)..<((i + 1) * s.count / 10)].map { $0[1] }.sorted()
            return Int(slice[slice.count / 2].rounded())
        }
        return "  RSS over time (median MB per tenth of the run): " + tenths.map(String.init).joined(separator: " ")
    }
}
