import ArgumentParser
import FaxImaging
import Foundation

/// `faxintake decode`: decode files and describe their pages.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode fax TIFFs and PDFs and list their pages.",
        discussion: """
            Exit status: 0 when every file decodes, 65 when any file is bad input, \
            66 when a file is missing or unreadable.
            """
    )

    @Argument(help: "TIFF or PDF files, recognised by content.")
    var files: [String]

    @Flag(help: "Print one JSON object per file on standard output.")
    var json = false

    @Option(help: "Largest page accepted, in pixels.")
    var maxPixels: Int = DecodeLimits.default.maxPixelsPerPage

    @Option(help: "Most pages accepted per file.")
    var maxPages: Int = DecodeLimits.default.maxPagesPerFile

    @Option(help: ArgumentHelp("Write each decoded page as a PGM image into this folder.", valueName: "folder"))
    var writePages: String?

    @Flag(help: "Include fillable-PDF form values in the output. They are PHI: use on a trusted terminal only.")
    var showFormValues = false

    func run() throws {
        let decoder = DocumentDecoder(limits: DecodeLimits(maxPixelsPerPage: maxPixels, maxPagesPerFile: maxPages))
        var worst = SysExit.ok
        for file in files {
            let document: DecodedDocument
            do {
                document = try decoder.decode(path: file)
            } catch {
                printError("error: \(error.description)")
                if json { print(JSONOutput.line(DecodeFailure(file: file, error: error.reason))) }
                let code = error.isBadInput ? SysExit.dataError : SysExit.noInput
                // A missing file outranks bad data: the operator has to fix the path first.
                if worst == SysExit.ok || code == SysExit.noInput { worst = code }
                continue
            }
            var summary = DecodeSummary(document)
            if showFormValues { summary.formValues = document.formValues.mapValues(FormValueOutput.init) }
            print(json ? JSONOutput.line(summary) : summary.text)
            if let folder = writePages { try writePageImages(document, to: folder) }
        }
        if worst != SysExit.ok { throw worst }
    }
}

extension DecodeCommand {
    private func writePageImages(_ document: DecodedDocument, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stem = URL(fileURLWithPath: document.file).deletingPathExtension().lastPathComponent
        for page in document.pages {
            let path = URL(fileURLWithPath: folder).appendingPathComponent("\(stem)-p\(page.provenance.index + 1).pgm").path
            // Page images carry PHI: owner-only.
            guard FileManager.default.createFile(atPath: path, contents: Data(page.image.pgmData()), attributes: [.posixPermissions: 0o600]) else {
                printError("error: \(path): cannot write the page image")
                throw SysExit.cantCreate
            }
        }
    }
}

/// What `decode` reports for one document.
struct DecodeSummary: Encodable {
    struct PageSummary: Encodable {
        var index: Int
        var width: Int
        var height: Int
        var xDpi: Double
        var yDpi: Double
        var storedXDpi: Double
        var storedYDpi: Double
        var compression: String
        var photometric: String
        var bitsPerSample: Int
        var blank: Bool
    }
    var file: String
    var format: String
    var pages: [PageSummary]
    var fax: FaxMetadata?
    var formFields: Int
    var formValues: [String: FormValueOutput]?
    var warnings: [String]

    init(_ document: DecodedDocument) {
        file = document.file
        format = document.format.rawValue
        pages = document.pages.map {
            PageSummary(index: $0.provenance.index, width: $0.image.width, height: $0.image.height,
                        xDpi: $0.xDPI, yDpi: $0.yDPI, storedXDpi: $0.provenance.storedXDPI, storedYDpi: $0.provenance.storedYDPI,
                        compression: $0.provenance.compression, photometric: $0.provenance.photometric,
                        bitsPerSample: $0.provenance.bitsPerSample, blank: $0.isBlank)
        }
        fax = document.fax.isEmpty ? nil : document.fax
        formFields = document.formValues.count
        warnings = document.warnings
    }

    var text: String {
        var lines = ["\(file): \(format), \(pages.count) page\(pages.count == 1 ? "" : "s")"
                     + (formFields > 0 ? ", \(formFields) form fields" : "")]
        for p in pages {
            lines.append(String(format: "  page %d: %d×%d px, %.0f×%.0f dpi (stored %.0f×%.0f), %@, %@%@",
                                p.index + 1, p.width, p.height, p.xDpi, p.yDpi, p.storedXDpi, p.storedYDpi,
                                p.compression, p.photometric, p.blank ? ", blank" : ""))
        }
        for (name, value) in (formValues ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("  field \(name) = \(value.text ?? (value.checked == true ? "[x]" : "[ ]"))")
        }
        return lines.joined(separator: "\n")
    }
}

/// What `decode --json` prints for a file that failed.
struct DecodeFailure: Encodable {
    var file: String
    var error: String
}

/// A form value as printed: text fields carry `text`, checkboxes `checked`.
struct FormValueOutput: Encodable {
    var text: String?
    var checked: Bool?

    init(_ value: FormFieldValue) {
        switch value {
        case .text(let t): text = t
        case .checkbox(let c): checked = c
        }
    }
}
