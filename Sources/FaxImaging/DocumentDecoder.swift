import Foundation

/// Turns a TIFF or PDF into pages, recognising the format by content, never by extension.
public struct DocumentDecoder: Sendable {
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = .default) {
        self.limits = limits
    }

    /// Reads the first bytes of a file and tells its format, or throws the reason it has none.
    public func sniff(path: String) throws(DecodeError) -> DocumentFormat {
        let handle = try Self.openForReading(path)
        defer { try? handle.close() }
        let header: [UInt8]
        do { header = [UInt8](try handle.read(upToCount: 1024) ?? Data()) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        return try Self.format(of: header, name: path)
    }

    /// Tells the format of a document's first bytes (the first kilobyte is enough).
    static func format<Bytes: Collection<UInt8>>(of header: Bytes, name: String) throws(DecodeError) -> DocumentFormat {
        guard !header.isEmpty else { throw .empty(file: name) }
        guard let format = DocumentFormat.sniff(Array(header.prefix(1024))) else { throw .unrecognizedFormat(file: name) }
        return format
    }

    /// Opens a document held in memory, ready to decode one page at a time.
    ///
    /// The document is read from `data` alone, never from a file; `name` (usually the file's path) only
    /// appears in error messages, warnings and each page's provenance. A PDF's page count is checked
    /// against `limits.maxPagesPerFile` here; a TIFF's as `next()` reaches each page.
    public func open(data: Data, name: String) throws(DecodeError) -> PageStream {
        switch try Self.format(of: data, name: name) {
        case .tiff: return PageStream(.tiff(try TIFFPageSource(data: data, name: name, limits: limits)), name: name)
        case .pdf: return PageStream(.pdf(try PDFPageSource(data: data, name: name, limits: limits)), name: name)
        }
    }

    /// Decodes every page of a document held in memory: `open(data:name:)`, then every `next()`.
    public func decode(data: Data, name: String) throws(DecodeError) -> DecodedDocument {
        let stream = try open(data: data, name: name)
        var pages: [Page] = []
        while let page = try stream.next() { pages.append(page) }
        return DecodedDocument(file: name, format: stream.format, pages: pages, fax: stream.fax,
                               formValues: stream.formValues, warnings: stream.warnings)
    }

    /// Reads the file at `path` once and decodes every page of those bytes; messages name `path`.
    public func decode(path: String) throws(DecodeError) -> DecodedDocument {
        try decode(data: Self.contents(of: path), name: path)
    }

    /// A file's bytes, or why they cannot be had: missing, a directory, no permission, an I/O error.
    static func contents(of path: String) throws(DecodeError) -> Data {
        let handle = try openForReading(path)
        defer { try? handle.close() }
        do { return try handle.readToEnd() ?? Data() } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }

    /// A file opened for reading, or why it cannot be: missing, a directory, no permission.
    private static func openForReading(_ path: String) throws(DecodeError) -> FileHandle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(file: path) }
        guard !isDirectory.boolValue else { throw .unreadable(file: path, reason: "it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(file: path, reason: "permission denied")
        }
        return handle
    }
}
