/// A page kept between pipeline stages: a bilevel fax page packed 1 bit per pixel, anything else as gray bytes.
public struct HeldPage: Sendable {
    enum Raster {
        /// Rows of `(width + 7) / 8` bytes, most significant bit first; a set bit is ink (0), a clear bit paper (255).
        case bilevel([UInt8])
        case gray([UInt8])
    }

    public let width: Int
    public let height: Int
    public let xDPI: Double
    public let yDPI: Double
    public let provenance: PageProvenance
    public let isBlank: Bool
    let raster: Raster

    /// Packs the page 1 bit per pixel when every pixel is 0 or 255 (a fax page is), otherwise keeps its bytes.
    public init(_ page: Page) {
        width = page.image.width
        height = page.image.height
        xDPI = page.xDPI
        yDPI = page.yDPI
        provenance = page.provenance
        isBlank = page.isBlank
        raster = HeldPage.pack(page.image).map(Raster.bilevel) ?? .gray(page.image.pixels)
    }

    /// True when the page is kept packed at 1 bit per pixel.
    public var isBilevel: Bool {
        if case .bilevel = raster { return true }
        return false
    }

    /// Bytes held for the raster.
    public var byteCount: Int {
        switch raster {
        case .bilevel(let bits): return bits.count
        case .gray(let pixels): return pixels.count
        }
    }

    /// The page as it was given: the same pixels, resolution, provenance and blankness.
    public func page() -> Page {
        let image: GrayImage
        switch raster {
        case .gray(let pixels):
            image = GrayImage(width: width, height: height, pixels: pixels)
        case .bilevel(let bits):
            var pixels = [UInt8](repeating: 255, count: width * height)
            let rowBytes = (width + 7) / 8
            pixels.withUnsafeMutableBufferPointer { dst in
                bits.withUnsafeBufferPointer { src in
                    for y in 0..<height {
                        let srcRow = y * rowBytes, dstRow = y * width
                        // Most bytes are all paper: skip them whole.
                        for byte in 0..<rowBytes where src[srcRow + byte] != 0 {
                            let bits = src[srcRow + byte]
                            for x in (byte * 8)..<min(width, byte * 8 + 8) where bits & (0x80 >> UInt8(x & 7)) != 0 {
                                dst[dstRow + x] = 0
                            }
                        }
                    }
                }
            }
            image = GrayImage(width: width, height: height, pixels: pixels)
        }
        return Page(image: image, xDPI: xDPI, yDPI: yDPI, provenance: provenance, isBlank: isBlank)
    }

    /// The image packed 1 bit per pixel, or nil as soon as a pixel is neither 0 nor 255.
    static func pack(_ image: GrayImage) -> [UInt8]? {
        let rowBytes = (image.width + 7) / 8
        var bits = [UInt8](repeating: 0, count: rowBytes * image.height)
        let bilevel = bits.withUnsafeMutableBufferPointer { dst in
            image.pixels.withUnsafeBufferPointer { src in
                for y in 0..<image.height {
                    let srcRow = y * image.width, dstRow = y * rowBytes
                    for x in 0..<image.width {
                        switch src[srcRow + x] {
                        case 0: dst[dstRow + (x >> 3)] |= 0x80 >> UInt8(x & 7)
                        case 255: continue
                        default: return false
                        }
                    }
                }
                return true
            }
        }
        return bilevel ? bits : nil
    }
}
