/// Why a document could not be decoded; each message names the file and, where it applies, the page or limit.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(file: String)
    case unreadable(file: String, reason: String)
    case unrecognizedFormat(file: String)
    case empty(file: String)
    case corrupt(file: String, page: Int?, reason: String)
    case unsupported(file: String, page: Int?, reason: String)
    case passwordRequired(file: String)
    case pixelLimit(file: String, page: Int, width: Int, height: Int, limit: Int)
    case pageLimit(file: String, pages: Int, limit: Int)
    case noPages(file: String)

    public var file: String {
        switch self {
        case .missing(let f), .unreadable(let f, _), .unrecognizedFormat(let f), .empty(let f),
             .corrupt(let f, _, _), .unsupported(let f, _, _), .passwordRequired(let f),
             .pixelLimit(let f, _, _, _, _), .pageLimit(let f, _, _), .noPages(let f):
            return f
        }
    }

    /// True when the file itself is bad (sysexits EX_DATAERR); false when it could not be read (EX_NOINPUT).
    public var isBadInput: Bool {
        switch self {
        case .missing, .unreadable: return false
        default: return true
        }
    }

    /// The reason alone, without the file name.
    public var reason: String {
        func at(_ page: Int?) -> String { page.map { "page \($0 + 1): " } ?? "" }
        switch self {
        case .missing: return "no such file"
        case .unreadable(_, let reason): return "cannot read the file (\(reason))"
        case .unrecognizedFormat: return "not a TIFF or PDF (unrecognised content)"
        case .empty: return "the file is empty (0 bytes)"
        case .corrupt(_, let page, let reason): return "\(at(page))damaged data: \(reason)"
        case .unsupported(_, let page, let reason): return "\(at(page))unsupported: \(reason)"
        case .passwordRequired: return "the PDF is encrypted and needs a password"
        case .pixelLimit(_, let page, let w, let h, let limit):
            return "page \(page + 1) is \(w)×\(h) pixels, over the limit of \(limit) pixels per page (limits.max_pixels_per_page)"
        case .pageLimit(_, let pages, let limit):
            return "the document has \(pages) pages or more, over the limit of \(limit) pages per file (limits.max_pages_per_file)"
        case .noPages: return "the document has no pages"
        }
    }

    public var description: String { "\(file): \(reason)" }
}

/// Limits that keep a hostile or broken file from exhausting memory.
public struct DecodeLimits: Sendable, Equatable, Codable {
    /// Largest page accepted, in pixels, after row repetition. A letter page at 600 dpi is about 34 million.
    public var maxPixelsPerPage: Int
    /// Most pages accepted in one file.
    public var maxPagesPerFile: Int
    /// Resolution PDF pages are rendered at.
    public var pdfRenderDPI: Double

    public init(maxPixelsPerPage: Int = 40_000_000, maxPagesPerFile: Int = 300, pdfRenderDPI: Double = 300) {
        self.maxPixelsPerPage = maxPixelsPerPage
        self.maxPagesPerFile = maxPagesPerFile
        self.pdfRenderDPI = pdfRenderDPI
    }

    public static let `default` = DecodeLimits()
}
