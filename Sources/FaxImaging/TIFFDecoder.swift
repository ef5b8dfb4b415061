import CTIFF
import Foundation

/// Decodes a TIFF (fax G3/G4 and the usual scanner encodings) through libtiff, one directory at a time.
final class TIFFPageSource {
    let limits: DecodeLimits
    let name: String
    /// The fax tags of the first directory, read at open.
    let fax: FaxMetadata
    private let tiff: TIFFFile
    /// The index of the page the next call decodes. libtiff's current directory is the page before it
    /// (page 0 right after open), so `next()` advances first unless this is 0.
    private var index = 0
    private var atEnd = false

    init(data: Data, name: String, limits: DecodeLimits) throws(DecodeError) {
        self.limits = limits
        self.name = name
        let tiff = try TIFFFile(data: data, name: name, maxSingleAllocation: max(256 << 20, limits.maxPixelsPerPage * 4 + (1 << 20)))
        self.tiff = tiff
        fax = Self.readFaxMetadata(tiff)
    }

    var warnings: [String] { tiff.log.warnings }

    /// The next page, or nil after the last one.
    func next() throws(DecodeError) -> Page? {
        guard !atEnd else { return nil }
        if index > 0, !tiff.readNextDirectory() {
            atEnd = true
            // A damaged directory chain ends with a directory error in the log: report it, after the pages that
            // decoded, rather than pass those off as the whole document.
            if let error = tiff.log.errors.first(where: { $0.contains("TIFFReadDirectory") || $0.contains("TIFFFetchDirectory") }) {
                throw .corrupt(file: name, page: index, reason: oneLine(error))
            }
            return nil
        }
        if index >= limits.maxPagesPerFile {
            throw .pageLimit(file: name, pages: index + 1, limit: limits.maxPagesPerFile)
        }
        let page = try decodeCurrentPage(tiff, index: index, file: name)
        index += 1
        return page
    }

    private static func readFaxMetadata(_ tiff: TIFFFile) -> FaxMetadata {
        var fax = FaxMetadata()
        if let text = tiff.string(UInt32(TIFFTAG_IMAGEDESCRIPTION)) { fax.absorb(imageDescription: text) }
        fax.dateTime = tiff.string(UInt32(TIFFTAG_DATETIME))
        fax.software = tiff.string(UInt32(TIFFTAG_SOFTWARE))
        fax.faxSubAddress = tiff.string(UInt32(TIFFTAG_FAXSUBADDRESS))
        fax.faxReceiveSeconds = tiff.uint32(UInt32(TIFFTAG_FAXRECVTIME)).map(Int.init)
        fax.badFaxLines = tiff.uint32(UInt32(TIFFTAG_BADFAXLINES)).map(Int.init)
        return fax
    }

    private func decodeCurrentPage(_ tiff: TIFFFile, index: Int, file: String) throws(DecodeError) -> Page {
        guard let w32 = tiff.uint32(UInt32(TIFFTAG_IMAGEWIDTH)), let h32 = tiff.uint32(UInt32(TIFFTAG_IMAGELENGTH)) else {
            throw .corrupt(file: file, page: index, reason: tiff.log.firstError ?? "no image width or length")
        }
        let width = Int(w32), height = Int(h32)
        guard width > 0, height > 0 else {
            throw .corrupt(file: file, page: index, reason: "image is \(width)×\(height) pixels")
        }
        let bits = Int(tiff.uint16(UInt32(TIFFTAG_BITSPERSAMPLE)) ?? 1)
        let samples = Int(tiff.uint16(UInt32(TIFFTAG_SAMPLESPERPIXEL)) ?? 1)
        let compression = tiff.uint16(UInt32(TIFFTAG_COMPRESSION)) ?? UInt16(COMPRESSION_NONE)
        guard let photometric = tiff.uint16(UInt32(TIFFTAG_PHOTOMETRIC), defaulted: false) ?? defaultPhotometric(compression) else {
            throw .corrupt(file: file, page: index, reason: "no photometric interpretation")
        }
        var (xdpi, ydpi) = resolution(tiff)
        let storedX = xdpi, storedY = ydpi
        // A normal-resolution fax is stored with half the rows; repeat them so pixels are square.
        var rowRepeat = 1
        if ydpi > 0, xdpi / ydpi >= 1.8, xdpi / ydpi <= 2.2 { rowRepeat = 2; ydpi *= 2 }

        let total = width.multipliedReportingOverflow(by: height * rowRepeat)
        guard !total.overflow, total.partialValue <= limits.maxPixelsPerPage else {
            throw .pixelLimit(file: file, page: index, width: width, height: height * rowRepeat, limit: limits.maxPixelsPerPage)
        }

        var image: GrayImage
        if bits == 1, samples == 1, !tiff.isTiled,
           photometric == UInt16(PHOTOMETRIC_MINISWHITE) || photometric == UInt16(PHOTOMETRIC_MINISBLACK) {
            let minIsWhite = photometric == UInt16(PHOTOMETRIC_MINISWHITE)
            var result = readBilevel(tiff, width: width, height: height, minIsWhite: minIsWhite)
            let g3Options = tiff.uint32(UInt32(TIFFTAG_GROUP3OPTIONS), defaulted: true) ?? 0
            if result.failedStrips > 0, Int32(compression) == COMPRESSION_CCITTFAX3, g3Options & UInt32(GROUP3OPT_2DENCODING) == 0 {
                // Some senders omit the EOL codes of 1-D rows.
                tiff.treatAsModifiedHuffmanWithoutEOL()
                let retry = readBilevel(tiff, width: width, height: height, minIsWhite: minIsWhite)
                if retry.failedStrips < result.failedStrips { result = retry }
            }
            guard result.failedStrips < result.strips else {
                throw .corrupt(file: file, page: index, reason: tiff.log.firstError ?? "no strip could be decoded")
            }
            if result.failedStrips > 0 {
                tiff.log.warning("page \(index + 1): \(result.failedStrips) of \(result.strips) strips could not be decoded and are left white")
            }
            image = result.image
        } else {
            image = try readViaRGBA(tiff, width: width, height: height, page: index, file: file)
        }
        if rowRepeat > 1 { image = image.repeatingRows(rowRepeat) }

        let provenance = PageProvenance(
            file: file, index: index, compression: compressionName(compression), photometric: photometricName(photometric),
            bitsPerSample: bits, storedXDPI: storedX, storedYDPI: storedY)
        return Page(image: image, xDPI: xdpi, yDPI: ydpi, provenance: provenance)
    }

    private func defaultPhotometric(_ compression: UInt16) -> UInt16? {
        // Fax encodings imply min-is-white when a sender leaves the tag out.
        switch Int32(compression) {
        case COMPRESSION_CCITTRLE, COMPRESSION_CCITTFAX3, COMPRESSION_CCITTFAX4, COMPRESSION_CCITTRLEW:
            return UInt16(PHOTOMETRIC_MINISWHITE)
        default: return nil
        }
    }

    private func resolution(_ tiff: TIFFFile) -> (Double, Double) {
        var x = Double(tiff.float(UInt32(TIFFTAG_XRESOLUTION)) ?? 0)
        var y = Double(tiff.float(UInt32(TIFFTAG_YRESOLUTION)) ?? 0)
        if !x.isFinite || x <= 0 || x > 10_000 { x = 0 }
        if !y.isFinite || y <= 0 || y > 10_000 { y = 0 }
        if x == 0 && y == 0 { return (200, 200) } // unknown: the usual fax/scan resolution
        if x == 0 { x = y }
        if y == 0 { y = x }
        if tiff.uint16(UInt32(TIFFTAG_RESOLUTIONUNIT)) == UInt16(RESUNIT_CENTIMETER) { x *= 2.54; y *= 2.54 }
        return (x, y)
    }

    private func readBilevel(_ tiff: TIFFFile, width: Int, height: Int, minIsWhite: Bool) -> (image: GrayImage, strips: Int, failedStrips: Int) {
        let rowsPerStrip = Int(min(tiff.uint32(UInt32(TIFFTAG_ROWSPERSTRIP), defaulted: true) ?? UInt32(height), UInt32(height)))
        let lineBytes = tiff.scanlineSize
        let stripBytes = tiff.stripSize
        guard rowsPerStrip > 0, lineBytes > 0, lineBytes * 8 >= width, stripBytes > 0 else {
            return (GrayImage(width: 0, height: 0), 0, 0)
        }
        var pixels = [UInt8](repeating: 255, count: width * height)
        var strip = [UInt8](repeating: 0, count: stripBytes)
        let ink: UInt8 = 0, paper: UInt8 = 255
        let oneBit = minIsWhite ? ink : paper, zeroBit = minIsWhite ? paper : ink
        let stripCount = tiff.stripCount
        var failures = 0
        for s in 0..<stripCount {
            let firstRow = s * rowsPerStrip
            if firstRow >= height { break }
            let got = strip.withUnsafeMutableBytes { tiff.readStrip(s, into: $0) }
            guard let got else { failures += 1; continue }
            let rows = min(rowsPerStrip, height - firstRow, got / lineBytes)
            pixels.withUnsafeMutableBufferPointer { dst in
                strip.withUnsafeBufferPointer { src in
                    for r in 0..<rows {
                        let srcRow = r * lineBytes
                        let dstRow = (firstRow + r) * width
                        var x = 0
                        // A fax row is mostly paper: a byte of eight like pixels is set at once.
                        while x + 8 <= width {
                            let byte = src[srcRow + (x >> 3)]
                            if byte == 0 || byte == 0xFF {
                                let value = byte == 0 ? zeroBit : oneBit
                                for k in 0..<8 { dst[dstRow + x + k] = value }
                            } else {
                                for k in 0..<8 { dst[dstRow + x + k] = (byte & (0x80 >> UInt8(k))) != 0 ? oneBit : zeroBit }
                            }
                            x += 8
                        }
                        while x < width {
                            let byte = src[srcRow + (x >> 3)]
                            dst[dstRow + x] = (byte & (0x80 >> UInt8(x & 7))) != 0 ? oneBit : zeroBit
                            x += 1
                        }
                    }
                }
            }
        }
        return (GrayImage(width: width, height: height, pixels: pixels), stripCount, failures)
    }

    private func readViaRGBA(_ tiff: TIFFFile, width: Int, height: Int, page: Int, file: String) throws(DecodeError) -> GrayImage {
        let (ok, why) = tiff.rgbaSupport()
        guard ok else { throw .unsupported(file: file, page: page, reason: oneLine(why)) }
        var raster = [UInt32](repeating: 0, count: width * height)
        let decoded = raster.withUnsafeMutableBufferPointer { tiff.readRGBA(width: width, height: height, into: $0) }
        guard decoded else {
            throw .corrupt(file: file, page: page, reason: tiff.log.firstError ?? "libtiff could not decode the image")
        }
        var pixels = [UInt8](repeating: 255, count: width * height)
        pixels.withUnsafeMutableBufferPointer { dst in
            raster.withUnsafeBufferPointer { src in
                for i in 0..<src.count {
                    let v = src[i]
                    let r = v & 0xFF, g = (v >> 8) & 0xFF, b = (v >> 16) & 0xFF, a = (v >> 24) & 0xFF
                    let luma = (r * 299 + g * 587 + b * 114) / 1000
                    // Transparent pixels are paper.
                    dst[i] = UInt8((luma * a + 255 * (255 - a)) / 255)
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    private func compressionName(_ c: UInt16) -> String {
        switch Int32(c) {
        case COMPRESSION_NONE: return "none"
        case COMPRESSION_CCITTRLE: return "ccitt-rle"
        case COMPRESSION_CCITTFAX3: return "g3"
        case COMPRESSION_CCITTFAX4: return "g4"
        case COMPRESSION_LZW: return "lzw"
        case COMPRESSION_OJPEG: return "ojpeg"
        case COMPRESSION_JPEG: return "jpeg"
        case COMPRESSION_ADOBE_DEFLATE, COMPRESSION_DEFLATE: return "deflate"
        case COMPRESSION_PACKBITS: return "packbits"
        default: return "compression-\(c)"
        }
    }

    private func photometricName(_ p: UInt16) -> String {
        switch Int32(p) {
        case PHOTOMETRIC_MINISWHITE: return "min-is-white"
        case PHOTOMETRIC_MINISBLACK: return "min-is-black"
        case PHOTOMETRIC_RGB: return "rgb"
        case PHOTOMETRIC_PALETTE: return "palette"
        case PHOTOMETRIC_SEPARATED: return "separated"
        case PHOTOMETRIC_YCBCR: return "ycbcr"
        default: return "photometric-\(p)"
        }
    }
}

func oneLine(_ s: String) -> String {
    s.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
}
