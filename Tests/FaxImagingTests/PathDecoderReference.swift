@testable import FaxImaging

/// One page as the decoder gave it, reduced to what identifies it.
struct PageFingerprint: Equatable, CustomStringConvertible {
    var width: Int, height: Int, xDPI: Double, yDPI: Double
    var compression: String, photometric: String, bitsPerSample: Int, storedXDPI: Double, storedYDPI: Double
    var isBlank: Bool
    var pixels: UInt64

    init(_ width: Int, _ height: Int, _ xDPI: Double, _ yDPI: Double, _ compression: String, _ photometric: String,
         _ bitsPerSample: Int, _ storedXDPI: Double, _ storedYDPI: Double, blank: Bool, _ pixels: UInt64) {
        (self.width, self.height, self.xDPI, self.yDPI) = (width, height, xDPI, yDPI)
        (self.compression, self.photometric, self.bitsPerSample) = (compression, photometric, bitsPerSample)
        (self.storedXDPI, self.storedYDPI, isBlank, self.pixels) = (storedXDPI, storedYDPI, blank, pixels)
    }

    init(_ page: Page) {
        let p = page.provenance
        self.init(page.image.width, page.image.height, page.xDPI, page.yDPI, p.compression, p.photometric, p.bitsPerSample,
                  p.storedXDPI, p.storedYDPI, blank: page.isBlank, pixelFingerprint(page.image.pixels))
    }

    var description: String {
        "\(width)×\(height) \(xDPI)×\(yDPI) dpi \(compression) \(photometric) \(bitsPerSample)-bit blank=\(isBlank) #\(String(pixels, radix: 16))"
    }
}

/// Fillable PDFs whose text uses fonts the file does not embed (Helvetica, Courier): poppler draws them with
/// the machine's substitutes, so their pixels differ between a machine with DejaVu only (the recording) and
/// one with URW's fonts as well (what setup.sh installs, for the font-independence test).
let pagesDrawnWithTheMachinesFonts: Set<String> = ["corpus-dev/0016.pdf", "corpus-dev/0019.pdf"]

extension PageFingerprint {
    /// The same page with its pixels left out of the comparison.
    var withoutPixels: PageFingerprint {
        var copy = self
        copy.pixels = 0
        return copy
    }
}

/// The pages the path-based decoder gave (commit 3df0817, before decoding from bytes) for every real fax and
/// a sample of the development corpus (G3/G4, fine and normal resolution, scanned, fillable PDFs), by
/// file under ../shared. Recorded once from that decoder; the pixels as a 64-bit FNV-1a of the gray bytes.
let pathDecoderPages: [String: [PageFingerprint]] = [
    "realdata/faxes/bitonal_form_g4_200dpi.tif": [
        .init(1710, 709, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x72c5aec939f5e188),
    ],
    "realdata/faxes/black_page_g4_240dpi.tif": [
        .init(2040, 3360, 240.0, 240.0, "g4", "min-is-white", 1, 240.0, 240.0, blank: false, 0x583c0d67a42d0c80),
    ],
    "realdata/faxes/ccitt_1.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x13a3518492de4efc),
    ],
    "realdata/faxes/ccitt_2.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x453ca09d4f3ae473),
    ],
    "realdata/faxes/ccitt_3.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x538b1bd294e40587),
    ],
    "realdata/faxes/ccitt_4.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x98ccf42948308f22),
    ],
    "realdata/faxes/ccitt_5.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x60d94cb4800b898e),
    ],
    "realdata/faxes/ccitt_6.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x49504f9cae93dd99),
    ],
    "realdata/faxes/ccitt_7.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x7f85a552229fe037),
    ],
    "realdata/faxes/ccitt_8.tif": [
        .init(1728, 2376, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0x1bfc4ff6e1816e30),
    ],
    "realdata/faxes/ccitt_bounds_nearblank_g4_300dpi.tif": [
        .init(2488, 3510, 300.0, 300.0, "g4", "min-is-white", 1, 300.0, 300.0, blank: false, 0xfab5e3583d93258c),
    ],
    "realdata/faxes/g4_fillorder_lsb2msb_kofax.tif": [
        .init(218, 84, 300.0, 300.0, "g4", "min-is-white", 1, 300.0, 300.0, blank: false, 0x9215b62e5a4d6cd4),
    ],
    "realdata/faxes/g4_multi_3page_400dpi.tiff": [
        .init(3307, 4677, 400.0, 400.0, "g4", "min-is-white", 1, 400.0, 400.0, blank: true, 0xea325a727b8f8279),
        .init(3307, 4677, 400.0, 400.0, "g4", "min-is-white", 1, 400.0, 400.0, blank: true, 0xdcef70d616962183),
        .init(3307, 4677, 400.0, 400.0, "g4", "min-is-white", 1, 400.0, 400.0, blank: true, 0x8fc7fbe94bc40922),
    ],
    "realdata/faxes/kofax_G31D.tif": [
        .init(2464, 3248, 300.0, 300.0, "g3", "min-is-white", 1, 300.0, 300.0, blank: false, 0xdd01a2d5b8705c49),
    ],
    "realdata/faxes/kofax_G31DS.tif": [
        .init(2464, 3248, 300.0, 300.0, "g3", "min-is-white", 1, 300.0, 300.0, blank: false, 0xdd01a2d5b8705c49),
    ],
    "realdata/faxes/kofax_G32D.tif": [
        .init(2464, 3248, 300.0, 300.0, "g3", "min-is-white", 1, 300.0, 300.0, blank: false, 0xdd01a2d5b8705c49),
    ],
    "realdata/faxes/kofax_G4.tif": [
        .init(2464, 3248, 300.0, 300.0, "g4", "min-is-white", 1, 300.0, 300.0, blank: false, 0xdd01a2d5b8705c49),
    ],
    "realdata/faxes/libtiff_miniswhite-1c-1b.tiff": [
        .init(157, 151, 200.0, 200.0, "none", "min-is-white", 1, 200.0, 200.0, blank: false, 0xb3de0c39b3b7467c),
    ],
    "realdata/faxes/libtiff_testfax3_g3_1d_noEOL.tif": [
        .init(1728, 2320, 300.0, 300.0, "g3", "min-is-white", 1, 300.0, 300.0, blank: false, 0xe403d277894f68dc),
    ],
    "realdata/faxes/libtiff_testfax4_g4_300dpi.tiff": [
        .init(2453, 3369, 300.0, 300.0, "g4", "min-is-white", 1, 300.0, 300.0, blank: false, 0x42e64d72687754dc),
    ],
    "realdata/faxes/multipage_mixed_g3_lzw.tif": [
        .init(184, 808, 150.0, 150.0, "g3", "min-is-white", 1, 150.0, 150.0, blank: false, 0x978db692ee86fa61),
        .init(149, 140, 96.0, 96.0, "lzw", "palette", 4, 96.0, 96.0, blank: false, 0x6afda4f6ceeb2145),
        .init(128, 128, 300.0, 300.0, "lzw", "palette", 8, 300.0, 300.0, blank: true, 0xebc916b133dd6cc6),
    ],
    "realdata/faxes/pport_instructions_g4_200dpi.tif": [
        .init(2548, 3296, 200.0, 200.0, "g4", "min-is-white", 1, 200.0, 200.0, blank: false, 0xf4ff385ec50d439f),
    ],
    "corpus-dev/0000.tif": [
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 98.0, blank: false, 0x8f83612cc0504f61),
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 98.0, blank: false, 0x2207b59c67db0e6d),
    ],
    "corpus-dev/0001.tif": [
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x40bfb43176cca712),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0xe39bec0bab20b330),
    ],
    "corpus-dev/0004.tif": [
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x8767d731c262c30f),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0xe7523441d4b13f79),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0xf6a27383d211b57e),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x29da1d6e3ad09844),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x9eae28293edea9b8),
    ],
    "corpus-dev/0015.tif": [
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 196.0, blank: false, 0xe2bae65ba4faedd1),
    ],
    "corpus-dev/0026.tif": [
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 98.0, blank: false, 0x70c179f3ea4efc15),
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 98.0, blank: false, 0xb1bd2ed74c521101),
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 98.0, blank: false, 0x18c118ac995ae15),
        .init(1728, 2156, 204.0, 196.0, "g3", "min-is-white", 1, 204.0, 98.0, blank: false, 0x26983a3ef7427a31),
    ],
    "corpus-dev/0034.tif": [
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x63de98365bc8e12e),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x3d4b0a2f2fbdda5f),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x5b7814f3c8beaa97),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0x978efe19be6bc5e9),
        .init(1728, 2156, 204.0, 196.0, "g4", "min-is-white", 1, 204.0, 196.0, blank: false, 0xce5878230b06b14b),
    ],
    "corpus-dev/0007.pdf": [
        .init(2550, 3300, 300.0, 300.0, "pdf", "gray", 8, 300.0, 300.0, blank: false, 0x3d3f7a5dfcc67976),
        .init(2550, 3300, 300.0, 300.0, "pdf", "gray", 8, 300.0, 300.0, blank: false, 0x19adcddac68ff3f7),
        .init(2550, 3300, 300.0, 300.0, "pdf", "gray", 8, 300.0, 300.0, blank: false, 0xd9636c67bff583f4),
    ],
    "corpus-dev/0011.pdf": [
        .init(2550, 3300, 300.0, 300.0, "pdf", "gray", 8, 300.0, 300.0, blank: false, 0xa589df8981b897ce),
    ],
    "corpus-dev/0019.pdf": [
        .init(2550, 3300, 300.0, 300.0, "pdf", "gray", 8, 300.0, 300.0, blank: false, 0xa3f895c41cea44e6),
    ],
    "corpus-dev/0016.pdf": [
        .init(2550, 3300, 300.0, 300.0, "pdf", "gray", 8, 300.0, 300.0, blank: false, 0x965b3ef7b6a12674),
    ],
]
