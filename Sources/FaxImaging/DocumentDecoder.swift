import Foundation

/// Turns a TIFF or PDF file into pages, recognising the format by content, never by extension.
public struct DocumentDecoder: Sendable {
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = .default) {
        self.limits = limits
    }

    /// Reads the first bytes of a file and tells its format, or throws the reason it has none.
    public func sniff(path: String) throws(DecodeError) -> DocumentFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(file: path) }
        guard !isDirectory.boolValue else { throw .unreadable(file: path, reason: "it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(file: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let header: [UInt8]
        do { header = [UInt8](try handle.read(upToCount: 1024) ?? Data()) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        guard !header.isEmpty else { throw .empty(file: path) }
        guard let format = DocumentFormat.sniff(header) else { throw .unrecognizedFormat(file: path) }
        return format
    }

    /// Decodes every page of the file at `path`.
    public func decode(path: String) throws(DecodeError) -> DecodedDocument {
        let format = try sniff(path: path)
        switch format {
        case .tiff:
            let result = try TIFFDecoder(limits: limits).decode(path: path)
            guard !result.pages.isEmpty else { throw .noPages(file: path) }
            return DecodedDocument(file: path, format: .tiff, pages: result.pages, fax: result.fax, formValues: [:], warnings: result.warnings)
        case .pdf:
            let result = try PDFDecoder(limits: limits).decode(path: path)
            return DecodedDocument(file: path, format: .pdf, pages: result.pages, fax: FaxMetadata(), formValues: result.formValues, warnings: result.warnings)
        }
    }
}
