import Foundation

/// An open TIFF or PDF that gives its pages one at a time, so a long fax is never held in memory whole.
///
/// Not `Sendable`: it owns a libtiff or poppler handle, which one thread at a time may use. Move the
/// stream between calls only by handing it over on one serial queue.
public final class PageStream {
    enum Source {
        case tiff(TIFFPageSource)
        case pdf(PDFPageSource)
    }

    public let format: DocumentFormat
    /// The name the document was opened under (usually its file's path), as messages and provenance give it.
    public let name: String
    /// The fax tags of the first TIFF directory; empty for a PDF.
    public let fax: FaxMetadata
    /// AcroForm values by field name; empty for TIFFs and flat PDFs.
    public let formValues: [String: FormFieldValue]
    /// The page count when it is known before decoding: a PDF's. nil for a TIFF, whose directory chain
    /// is walked only as pages are read (counting it first would walk damaged chains twice).
    public let expectedPageCount: Int?
    /// How many pages `next()` has returned.
    public private(set) var pagesRead = 0

    private let source: Source
    /// The error that ended the stream: every later `next()` throws it again rather than go on past damage.
    private var failure: DecodeError?
    private var finished = false

    init(_ source: Source, name: String) {
        self.source = source
        self.name = name
        switch source {
        case .tiff(let tiff):
            format = .tiff
            fax = tiff.fax
            formValues = [:]
            expectedPageCount = nil
        case .pdf(let pdf):
            format = .pdf
            fax = FaxMetadata()
            formValues = pdf.formValues
            expectedPageCount = pdf.pageCount
        }
    }

    /// Library warnings collected so far (a PDF's also include poppler's non-fatal errors).
    public var warnings: [String] {
        switch source {
        case .tiff(let tiff): return tiff.warnings
        case .pdf(let pdf): return pdf.warnings
        }
    }

    /// Decodes the next page; nil after the last. Throws when the page is damaged or over a limit, and
    /// `.noPages` when a document ends without one.
    public func next() throws(DecodeError) -> Page? {
        if let failure { throw failure }
        guard !finished else { return nil }
        do throws(DecodeError) {
            let page: Page?
            switch source {
            case .tiff(let tiff): page = try tiff.next()
            case .pdf(let pdf): page = try pdf.next()
            }
            guard let page else {
                finished = true
                if pagesRead == 0 { throw .noPages(file: name) }
                return nil
            }
            pagesRead += 1
            return page
        } catch {
            failure = error
            throw error
        }
    }
}

@available(*, unavailable, message: "a PageStream owns a C handle that one thread at a time may use")
extension PageStream: Sendable {}
