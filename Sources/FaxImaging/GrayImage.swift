/// An 8-bit grayscale raster, 0 = black and 255 = white, rows top to bottom with no padding.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "pixel buffer does not match the image size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A white image of the given size.
    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: fill, count: width * height)
    }

    @inlinable
    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// The share of pixels darker than `threshold`.
    public func darkFraction(threshold: UInt8 = 128) -> Double {
        guard !pixels.isEmpty else { return 0 }
        var dark = 0
        pixels.withUnsafeBufferPointer { buffer in
            for value in buffer where value < threshold { dark += 1 }
        }
        return Double(dark) / Double(pixels.count)
    }

    /// This image with every row repeated `factor` times: how a 98-dpi fax page gets square pixels.
    public func repeatingRows(_ factor: Int) -> GrayImage {
        guard factor > 1 else { return self }
        var out = [UInt8](repeating: 255, count: width * height * factor)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for y in 0..<height {
                    let row = UnsafeBufferPointer(rebasing: src[(y * width)..<((y + 1) * width)])
                    for k in 0..<factor {
                        let base = (y * factor + k) * width
                        _ = UnsafeMutableBufferPointer(rebasing: dst[base..<(base + width)]).initialize(from: row)
                    }
                }
            }
        }
        return GrayImage(width: width, height: height * factor, pixels: out)
    }

    /// The image turned half a turn, for pages that arrive upside down.
    public func rotated180() -> GrayImage {
        GrayImage(width: width, height: height, pixels: pixels.reversed())
    }
}

extension GrayImage {
    /// The image as a binary PGM (P5) file: lossless, readable by every image tool, no library needed.
    public func pgmData() -> [UInt8] {
        Array("P5\n\(width) \(height)\n255\n".utf8) + pixels
    }
}
