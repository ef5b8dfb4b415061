import ArgumentParser
import FaxImaging
import FormExtraction
import Foundation

/// `faxintake bench stages`: per-page cost of decode, classification and form extraction.
struct BenchStagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "Time decode, page classification and form extraction per page, with tesseract's CLI as reference.",
        discussion: """
            Runs in this process on one core. Prints medians over --repeat runs. The reference is the \
            tesseract command line reading the same form page in full (OMP_THREAD_LIMIT=1), timed in the same run.
            """
    )

    @Option(help: "A fine-resolution G4 fax with a form page and at least one other page.")
    var fax: String = "../shared/corpus-dev/0002.tif"

    @Option(name: .customLong("repeat"), help: "Runs per measurement.")
    var repetitions: Int = 10

    @Flag(help: "Skip the tesseract CLI reference.")
    var noReference = false

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let configuration = try options.load()
        let extractor = try makeExtractor(try loadResources(configuration))
        let decoder = DocumentDecoder(limits: configuration.limits)
        let document: DecodedDocument
        do { document = try decoder.decode(path: fax) } catch {
            printError("error: \(error.description)")
            throw SysExit.dataError
        }
        guard let located = extractor.locateForm(in: document) else {
            printError("error: \(fax): no form page; the benchmark needs one")
            throw SysExit.dataError
        }
        let formPage = document.pages[located.index]
        let otherPages = document.pages.indices.filter { $0 != located.index }.map { document.pages[$0] }

        let decodeMs = median(repetitions) { _ = try? decoder.decode(path: fax) } / Double(document.pages.count)
        let classifyMs = otherPages.isEmpty ? nil : median(repetitions) { for p in otherPages { _ = extractor.classify(p) } } / Double(otherPages.count)
        let classifyFormMs = median(repetitions) { _ = extractor.classify(formPage) }
        let single = DecodedDocument(file: fax, format: document.format, pages: [formPage], fax: document.fax, formValues: [:], warnings: [])
        let extractMs = median(max(3, repetitions / 3)) { _ = try? extractor.extract(single) }
        let decodeOneMs = decodeMs

        print("file: \(fax) (\(document.pages.count) pages, form on page \(located.index + 1), \(formPage.image.width)×\(formPage.image.height) px)")
        print(String(format: "decode, per page (G4 fine):            %8.1f ms", decodeOneMs))
        if let classifyMs { print(String(format: "classify a non-form page:              %8.1f ms", classifyMs)) }
        print(String(format: "classify + register the form page:     %8.1f ms", classifyFormMs))
        print(String(format: "extract the form page (all fields):    %8.1f ms", extractMs))
        print(String(format: "form page end to end (decode..fields): %8.1f ms", decodeOneMs + extractMs))
        if !noReference, let referenceMs = tesseractReference(formPage) {
            print(String(format: "reference: tesseract CLI, full page:   %8.1f ms  (FaxIntake end to end is %.1f× faster)",
                         referenceMs, referenceMs / (decodeOneMs + extractMs)))
        }
    }

    /// Median wall time of `body` in milliseconds.
    private func median(_ runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Times `tesseract page.pgm stdout` on the same page; nil when the CLI is not installed.
    private func tesseractReference(_ page: Page) -> Double? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tesseract") else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("page.pgm")
        guard FileManager.default.createFile(atPath: image.path, contents: Data(page.image.pgmData()), attributes: [.posixPermissions: 0o600]) else { return nil }
        return median(3) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tesseract")
            process.arguments = [image.path, "stdout", "--dpi", String(Int(page.xDPI))]
            process.environment = ["OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
            process.waitUntilExit()
        }
    }
}

/// `faxintake bench`: speed measurements; they report figures and never fail on a timing.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure FaxIntake's speed.",
        subcommands: [BenchRunCommand.self, BenchStagesCommand.self]
    )
}
