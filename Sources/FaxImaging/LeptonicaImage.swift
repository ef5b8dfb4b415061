import CLeptonica

/// Owns one 8-bit leptonica `PIX*`; destroyed in `deinit`.
final class LeptonicaPix {
    private var pix: UnsafeMutablePointer<PIX>

    /// A copy of `image` in leptonica's layout; nil when leptonica cannot allocate it.
    init?(_ image: GrayImage) {
        guard image.width > 0, image.height > 0,
              image.width <= Int(Int32.max), image.height <= Int(Int32.max),
              let pix = pixCreate(Int32(image.width), Int32(image.height), 8),
              let data = pixGetData(pix) else { return nil }
        self.pix = pix
        let wpl = Int(pixGetWpl(pix))
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<image.height {
                let row = data + y * wpl, base = y * image.width
                // leptonica keeps the leftmost of a word's four 8-bit pixels in its most significant byte.
                for x in 0..<image.width {
                    let shift = UInt32(24 - 8 * (x & 3))
                    row[x >> 2] = (row[x >> 2] & ~(0xFF << shift)) | (UInt32(src[base + x]) << shift)
                }
            }
        }
    }

    /// Takes ownership of a `PIX*` leptonica returned.
    private init(owning pix: UnsafeMutablePointer<PIX>) { self.pix = pix }

    deinit {
        var handle: UnsafeMutablePointer<PIX>? = pix
        pixDestroy(&handle)
    }

    /// Reads an image file held in memory (any format leptonica reads); nil if it cannot.
    static func read(_ bytes: [UInt8]) -> LeptonicaPix? {
        guard !bytes.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            pixReadMem(buffer.baseAddress, buffer.count).map { LeptonicaPix(owning: $0) }
        }
    }

    /// The image as an 8-bit gray `GrayImage`; nil unless it is 8 bits deep without a colormap.
    func grayImage() -> GrayImage? {
        guard pixGetDepth(pix) == 8, pixGetColormap(pix) == nil, let data = pixGetData(pix) else { return nil }
        let width = Int(pixGetWidth(pix)), height = Int(pixGetHeight(pix)), wpl = Int(pixGetWpl(pix))
        var pixels = [UInt8](repeating: 255, count: width * height)
        for y in 0..<height {
            let row = data + y * wpl
            for x in 0..<width { pixels[y * width + x] = UInt8((row[x >> 2] >> UInt32(24 - 8 * (x & 3))) & 0xFF) }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// The image as a PNG file; nil if leptonica fails to encode it.
    func pngData() -> [UInt8]? {
        var data: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard pixWriteMemPng(&data, &size, pix, 0) == 0, let data else { return nil }
        defer { lept_free(data) }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }
}

extension GrayImage {
    /// The image as an 8-bit grayscale PNG file, encoded by leptonica; empty if it cannot be encoded
    /// (an empty image, or no memory).
    public func pngData() -> [UInt8] {
        LeptonicaPix(self)?.pngData() ?? []
    }

    /// Decodes a PNG (or any image leptonica reads) that holds 8-bit gray; nil otherwise.
    init?(pngData bytes: [UInt8]) {
        guard let image = LeptonicaPix.read(bytes)?.grayImage() else { return nil }
        self = image
    }
}
