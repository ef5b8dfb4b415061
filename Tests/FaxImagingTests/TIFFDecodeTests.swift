import Foundation
import Testing
@testable import FaxImaging

/// Page geometry as `tiffinfo`, an independent reader, reports it.
private func tiffinfoPages(_ path: String) throws -> [(width: Int, height: Int, xres: Double, yres: Double)] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/tiffinfo")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    var pages: [(Int, Int, Double, Double)] = []
    for block in output.components(separatedBy: "=== TIFF directory").dropFirst() {
        let numbers = { (pattern: String) -> [Double] in
            guard let range = block.range(of: pattern + "[^\\n]*", options: .regularExpression) else { return [] }
            return block[range].split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        }
        let size = numbers("Image Width:")
        let res = numbers("Resolution:")
        pages.append((Int(size[0]), Int(size[1]), res.first ?? 0, res.count > 1 ? res[1] : 0))
    }
    return pages
}

@Suite struct TIFFDecodeTests {
    let decoder = DocumentDecoder()

    @Test(arguments: Shared.files(in: "realdata/faxes"))
    func realFaxMatchesTiffinfo(path: String) throws {
        let expected = try tiffinfoPages(path)
        let document = try decoder.decode(data: Data(contentsOf: URL(fileURLWithPath: path)), name: path)
        #expect(document.format == .tiff)
        #expect(document.pages.count == expected.count)
        for (page, want) in zip(document.pages, expected) {
            #expect(page.image.width == want.width)
            let rowRepeat = want.yres > 0 && want.xres / want.yres >= 1.8 ? 2 : 1
            #expect(page.image.height == want.height * rowRepeat)
            #expect(page.image.pixels.count == page.image.width * page.image.height)
        }
    }

    @Test func normalResolutionFaxGetsSquarePixels() throws {
        let document = try decoder.decode(path: Shared.path("corpus-dev/0000.tif"))
        let page = try #require(document.pages.first)
        #expect(page.provenance.storedXDPI == 204)
        #expect(page.provenance.storedYDPI == 98)
        #expect(page.xDPI == 204)
        #expect(page.yDPI == 196)
        #expect(page.image.width == 1728)
        #expect(page.image.height == 1078 * 2)
        // Each stored row appears twice in a row.
        let w = page.image.width
        for y in stride(from: 0, to: page.image.height, by: 2) {
            #expect(page.image.pixels[(y * w)..<((y + 1) * w)] == page.image.pixels[((y + 1) * w)..<((y + 2) * w)])
        }
    }

    @Test func fineFaxKeepsItsRowsAndFaxTags() throws {
        let document = try decoder.decode(path: Shared.path("corpus-dev/0001.tif"))
        #expect(document.pages.count == 2)
        let page = document.pages[0]
        #expect(page.provenance.storedYDPI == 196)
        #expect(page.provenance.compression == "g4")
        #expect(page.provenance.photometric == "min-is-white")
        // The sidecar names the same station as the ImageDescription the sending server wrote.
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Shared.path("corpus-dev/0001.json")))) as? [String: Any]
        #expect(document.fax.stationID == sidecar?["station_id"] as? String)
    }

    @Test func fillOrderLSBFirstDecodesToTheSameInkAsTiffcp() throws {
        // g4_fillorder: libtiff applies FillOrder=2; the page must have ink and not be noise.
        let document = try decoder.decode(path: Shared.path("realdata/faxes/g4_fillorder_lsb2msb_kofax.tif"))
        let dark = document.pages[0].image.darkFraction()
        #expect(dark > 0.01 && dark < 0.5)
    }

    @Test func g3WithoutEOLCodesDecodes() throws {
        let document = try decoder.decode(path: Shared.path("realdata/faxes/libtiff_testfax3_g3_1d_noEOL.tif"))
        let dark = document.pages[0].image.darkFraction()
        #expect(dark > 0.01 && dark < 0.3)
        #expect(!document.pages[0].isBlank)
    }

    @Test func pixelLimitIsNamed() {
        let small = DocumentDecoder(limits: DecodeLimits(maxPixelsPerPage: 1_000_000))
        #expect(throws: DecodeError.self) { try small.decode(path: Shared.path("corpus-dev/0001.tif")) }
        do {
            _ = try small.decode(path: Shared.path("corpus-dev/0001.tif"))
        } catch {
            #expect(error.description.contains("max_pixels_per_page"))
            #expect(error.description.contains("page 1"))
        }
    }

    @Test func pageLimitIsNamed() {
        let strict = DocumentDecoder(limits: DecodeLimits(maxPagesPerFile: 2))
        do {
            _ = try strict.decode(path: Shared.path("corpus-dev/0004.tif"))
            Issue.record("a 5-page fax passed a 2-page limit")
        } catch {
            #expect(error.description.contains("max_pages_per_file"))
        }
    }
}
