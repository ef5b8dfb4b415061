import ArgumentParser
import FaxImaging
import FormExtraction
import Foundation
import IntakePipeline

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

/// Builds an extractor for a pipeline, as a pipeline worker does: its form template, its word list
/// and one tesseract engine.
func makeExtractor(_ configuration: PipelineConfiguration) throws -> FormExtractor {
    do {
        return try StagedPipeline.extractorFactory(configuration)()
    } catch {
        printError("error: \(error.reason)")
        throw SysExit.config
    }
}

/// `faxintake extract`: read the form in one document.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Find the prior-authorization form in a document and read every field.",
        discussion: "Prints one JSON object. A document with no form page gives \"form\": null and exit 0; bad input exits 65."
    )

    @Argument(help: "A TIFF or PDF file.")
    var file: String

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Print JSON (the default; kept for symmetry with other commands).")
    var json = false

    func run() throws {
        let configuration = try options.load()
        let extractor = try makeExtractor(configuration)
        let document: DecodedDocument
        do { document = try DocumentDecoder(limits: configuration.limits).decode(path: file) } catch {
            printError("error: \(error.description)")
            throw error.isBadInput ? SysExit.dataError : SysExit.noInput
        }
        do {
            let result = try extractor.extract(document)
            print(JSONOutput.pretty(ExtractOutput(result)))
        } catch {
            printError("error: \(error.description)")
            throw SysExit.software
        }
    }
}

/// The `extract` JSON shape: the contract, with snake_case keys.
struct ExtractOutput: Encodable {
    var file: String
    var pages: Int
    var form: FormLocation?
    var fields: [String: FieldReading]
    var checkboxes: [String: CheckboxReading]
    var method: String

    init(_ r: ExtractionResult) {
        file = r.file; pages = r.pages; form = r.form; fields = r.fields; checkboxes = r.checkboxes; method = r.method
    }

    enum CodingKeys: String, CodingKey { case file, pages, form, fields, checkboxes, method }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(pages, forKey: .pages)
        // "form": null must be present, not left out.
        if let form { try c.encode(form, forKey: .form) } else { try c.encodeNil(forKey: .form) }
        try c.encode(fields, forKey: .fields)
        try c.encode(checkboxes, forKey: .checkboxes)
        try c.encode(method, forKey: .method)
    }
}
