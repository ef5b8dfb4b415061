import ArgumentParser
import FaxImaging
import FormExtraction
import Foundation
import IntakePipeline
import IntakeQueue

/// Options shared by every command that reads a pipeline file.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The pipeline file.", valueName: "path"))
    var pipeline: String = "Pipelines/prior-auth.yml"

    func load() throws -> PipelineConfiguration {
        do { return try PipelineConfiguration.load(path: pipeline) } catch {
            printError("error: \(error.description)")
            throw SysExit.config
        }
    }
}

/// Loads and checks every file the pipeline names (form template, word list, OCR models) before any work:
/// a bad one is a configuration error, exit 78, naming the key and the path.
func loadResources(_ configuration: PipelineConfiguration) throws -> PipelineResources {
    do { return try PipelineResources.load(configuration) } catch {
        printError("error: \(error.description)")
        throw SysExit.config
    }
}

/// Builds an extractor for a pipeline, as a pipeline worker does: its form template, its word list
/// and one tesseract engine.
func makeExtractor(_ resources: PipelineResources) throws -> FormExtractor {
    do { return try resources.makeExtractor() } catch {
        printError("error: \(error.reason)")
        throw SysExit.software
    }
}

/// `faxintake extract`: read the form in one document.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Find the prior-authorization form in a document and read every field.",
        discussion: """
            Prints one JSON object: the first request's form, fields and checkboxes, and under "requests" every \
            request the document holds (a fax may carry several forms), each with its form page and page range. \
            A document with no form page gives "form": null and exit 0; bad input exits 65.
            """
    )

    @Argument(help: "A TIFF or PDF file.")
    var file: String

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Print JSON (the default; kept for symmetry with other commands).")
    var json = false

    func run() throws {
        let configuration = try options.load()
        let resources = try loadResources(configuration)
        let extractor = try makeExtractor(resources)
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read it" : "no such file"
            printError("error: \(file): \(reason)")
            throw SysExit.noInput
        }
        // The same processor as `run`, with a throwaway in-memory queue: nothing is stored.
        let processor = DocumentProcessor(configuration: configuration, resources: resources, store: SQLiteQueueStore.inMemory())
        let record = IntakeRecord(fileName: file, channel: .fax, bytes: bytes)
        do throws(StageFailure) {
            let document = try processor.requests(try processor.pages(record), extractor: extractor)
            print(JSONOutput.pretty(ExtractOutput(document)))
        } catch {
            printError("error: \(file): \(error.reason)")
            throw error.permanent ? SysExit.dataError : SysExit.software
        }
    }
}

/// The `extract` JSON shape: the contract, with snake_case keys.
struct ExtractOutput: Encodable {
    var first: RequestOutput
    var requests: [RequestOutput]

    init(_ document: DocumentRequests) {
        requests = document.requests.map(RequestOutput.init)
        first = requests[0]
    }

    /// One request: where its form is, the pages that belong to it, and what was read.
    struct RequestOutput: Encodable {
        var file: String
        var pages: Int
        var form: FormLocation?
        var pageRange: PageRange
        /// The fields as validated and checked against the plan's data (corrections included).
        var fields: [String: StoredField]
        var checkboxes: [String: CheckboxReading]
        var method: ExtractionMethod
        var member: MemberCheck?
        var servicingProvider: ProviderNetworkCheck?
        var header: FaxHeader?
        var flags: [ItemFlag]

        init(_ draft: RequestDraft) {
            let r = draft.extraction
            file = r.file; pages = r.pages; form = r.form; pageRange = draft.pageRange
            fields = draft.content.fields; checkboxes = r.checkboxes; method = r.method
            member = draft.content.member; servicingProvider = draft.content.servicingProvider; flags = draft.content.flags
            header = draft.content.header
        }

        enum CodingKeys: String, CodingKey { case file, pages, form, pageRange, fields, checkboxes, method, member, servicingProvider, header, flags }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(pages, forKey: .pages)
            // "form": null must be present, not left out.
            if let form { try c.encode(form, forKey: .form) } else { try c.encodeNil(forKey: .form) }
            try c.encode(pageRange, forKey: .pageRange)
            try c.encode(fields, forKey: .fields)
            try c.encode(checkboxes, forKey: .checkboxes)
            try c.encode(method, forKey: .method)
            try c.encodeIfPresent(member, forKey: .member)
            try c.encodeIfPresent(servicingProvider, forKey: .servicingProvider)
            try c.encodeIfPresent(header, forKey: .header)
            try c.encode(flags, forKey: .flags)
        }
    }

    enum CodingKeys: String, CodingKey { case requests }

    func encode(to encoder: Encoder) throws {
        try first.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requests, forKey: .requests)
    }
}
