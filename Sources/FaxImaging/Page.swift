import Foundation

/// The container format of an input document, recognised from its first bytes.
public enum DocumentFormat: String, Sendable, Codable {
    case tiff
    case pdf

    /// Recognises a format by magic bytes; nil for anything else.
    public static func sniff(_ header: [UInt8]) -> DocumentFormat? {
        if header.count >= 4 {
            if header[0] == 0x49, header[1] == 0x49, header[2] == 0x2A || header[2] == 0x2B, header[3] == 0x00 { return .tiff }
            if header[0] == 0x4D, header[1] == 0x4D, header[2] == 0x00, header[3] == 0x2A || header[3] == 0x2B { return .tiff }
        }
        // PDF readers accept the header anywhere in the first kilobyte.
        let marker: [UInt8] = Array("%PDF-".utf8)
        let window = header.prefix(1024)
        if window.count >= marker.count {
            for start in 0...(window.count - marker.count) where Array(window[start..<(start + marker.count)]) == marker {
                return .pdf
            }
        }
        return nil
    }
}

/// Where a page came from and how it was stored, for error messages and reports.
public struct PageProvenance: Sendable, Codable, Equatable {
    public var file: String
    /// 0-based index of the page in its file.
    public var index: Int
    public var compression: String
    public var photometric: String
    public var bitsPerSample: Int
    /// The resolution the page was stored at, before any row repetition.
    public var storedXDPI: Double
    public var storedYDPI: Double
}

/// One decoded page: a square-pixel grayscale raster with its resolution and provenance.
public struct Page: Sendable {
    public var image: GrayImage
    public var xDPI: Double
    public var yDPI: Double
    public var provenance: PageProvenance
    public var isBlank: Bool

    public init(image: GrayImage, xDPI: Double, yDPI: Double, provenance: PageProvenance) {
        self.image = image
        self.xDPI = xDPI
        self.yDPI = yDPI
        self.provenance = provenance
        self.isBlank = Page.looksBlank(image)
    }

    /// The resolution the page was received at: a 98-dpi fax's rows are repeated on decoding, so one
    /// received row is two of `image`'s. The decoded resolution where the file did not say.
    public var receivedDPI: (x: Double, y: Double) {
        (provenance.storedXDPI > 0 ? provenance.storedXDPI : xDPI, provenance.storedYDPI > 0 ? provenance.storedYDPI : yDPI)
    }

    /// A page whose blankness is already known (a held page coming back), so it is not measured again.
    init(image: GrayImage, xDPI: Double, yDPI: Double, provenance: PageProvenance, isBlank: Bool) {
        self.image = image
        self.xDPI = xDPI
        self.yDPI = yDPI
        self.provenance = provenance
        self.isBlank = isBlank
    }

    /// A page is blank when almost nothing on it is dark: fax speckle stays well under this share.
    static func looksBlank(_ image: GrayImage) -> Bool {
        // Count dark pixels in 8×8 cells and only count cells with several, so isolated speckle is ignored.
        let cell = 8
        var inkCells = 0
        let cells = (image.height / cell) * (image.width / cell)
        guard cells > 0 else { return true }
        func blank(_ inkCells: Int) -> Bool { Double(inkCells) / Double(cells) < 0.0005 }
        return image.pixels.withUnsafeBufferPointer { px in
            var cy = 0
            while cy + cell <= image.height {
                var cx = 0
                while cx + cell <= image.width {
                    var dark = 0
                    for y in cy..<(cy + cell) {
                        let row = y * image.width
                        for x in cx..<(cx + cell) where px[row + x] < 128 { dark += 1 }
                    }
                    if dark >= 6 {
                        inkCells += 1
                        // Enough ink already: a page with text stops here, near its top.
                        if !blank(inkCells) { return false }
                    }
                    cx += cell
                }
                cy += cell
            }
            return blank(inkCells)
        }
    }
}

/// The fax tags a receiving server writes into the TIFF, kept as document metadata.
public struct FaxMetadata: Sendable, Codable, Equatable {
    /// ImageDescription as written: usually the sender's station id.
    public var imageDescription: String?
    /// The station id: the first line of ImageDescription that is not a CallID line.
    public var stationID: String?
    /// HylaFAX-style `CallID1: …` lines from ImageDescription, in order.
    public var callIDs: [String] = []
    public var dateTime: String?
    /// Seconds the receive took (TIFFTAG_FAXRECVTIME).
    public var faxReceiveSeconds: Int?
    public var badFaxLines: Int?
    public var faxSubAddress: String?
    public var software: String?

    public init() {}

    public var isEmpty: Bool { self == FaxMetadata() }

    /// Splits an ImageDescription into station id and CallID lines.
    mutating func absorb(imageDescription text: String) {
        imageDescription = text
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            if line.lowercased().hasPrefix("callid"), let colon = line.firstIndex(of: ":") {
                callIDs.append(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            } else if stationID == nil {
                stationID = line
            }
        }
    }
}

/// A value read from a fillable PDF's AcroForm.
public enum FormFieldValue: Sendable, Equatable, Codable {
    case text(String)
    case checkbox(Bool)
}

/// A decoded input: its pages in order, fax metadata and any AcroForm values.
public struct DecodedDocument: Sendable {
    public var file: String
    public var format: DocumentFormat
    public var pages: [Page]
    public var fax: FaxMetadata
    /// AcroForm values by field name; empty for TIFFs and flat PDFs.
    public var formValues: [String: FormFieldValue]
    /// Library warnings collected while decoding this document.
    public var warnings: [String]

    public init(file: String, format: DocumentFormat, pages: [Page], fax: FaxMetadata = FaxMetadata(),
                formValues: [String: FormFieldValue] = [:], warnings: [String] = []) {
        self.file = file
        self.format = format
        self.pages = pages
        self.fax = fax
        self.formValues = formValues
        self.warnings = warnings
    }
}
