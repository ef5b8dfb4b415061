import Foundation
import Testing
@testable import FaxImaging

@Suite struct ThumbnailTests {
    @Test func faxPageThumbnailKeepsTheAspectRatio() throws {
        let page = try DocumentDecoder().decode(path: Shared.path("corpus-dev/0000.tif")).pages[0]
        #expect(page.image.width == 1728 && page.image.height == 2156)
        let thumbnail = page.thumbnail()
        // 1728 px at 204 dpi by 2156 px at 196 dpi (rows repeated) is 8.47 × 11 inches: 160 wide is 208 tall.
        #expect(thumbnail.width == 160)
        #expect(thumbnail.height == 208)
        #expect(thumbnail.pixels.count == 160 * 208)
        #expect(page.thumbnail(maxWidth: 80).width == 80)
        #expect(page.thumbnail(maxWidth: 80).height == 104)
        // Ink averages to gray: the thumbnail is not all white and not all black.
        #expect(thumbnail.pixels.contains { $0 < 250 } && thumbnail.pixels.contains { $0 == 255 })
    }

    @Test func renderedPageKeepsThePaperAspect() throws {
        let page = try DocumentDecoder().decode(path: Shared.path("corpus-dev/0000.tif")).pages[0]
        let half = page.rendered(width: 864)
        #expect(half.width == 864 && half.height == 1078)
        #expect(page.rendered(width: 5000) == page.image, "never wider than the page")
        // A page whose rows were not repeated (204 × 98 dpi) is drawn with each row twice.
        let short = Page(image: GrayImage(width: 4, height: 2, pixels: [0, 0, 0, 0, 255, 255, 255, 255]), xDPI: 204, yDPI: 98,
                         provenance: PageProvenance(file: "x", index: 0, compression: "g3", photometric: "miniswhite",
                                                    bitsPerSample: 1, storedXDPI: 204, storedYDPI: 98))
        #expect(short.rowRepeat == 2)
        #expect(short.rendered(width: 4) == GrayImage(width: 4, height: 4, pixels: [0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]))
    }

    @Test func croppingClipsToTheImageAndFillsWhite() {
        let image = GrayImage(width: 3, height: 2, pixels: [1, 2, 3,
                                                            4, 5, 6])
        #expect(image.cropped(x: 1, y: 0, width: 2, height: 2) == GrayImage(width: 2, height: 2, pixels: [2, 3, 5, 6]))
        #expect(image.cropped(x: -1, y: 1, width: 3, height: 2) == GrayImage(width: 3, height: 2, pixels: [255, 4, 5, 255, 255, 255]))
        #expect(image.cropped(x: 0, y: 0, width: 0, height: 5).width == 1, "an empty rectangle is one white pixel, never a crash")
    }

    @Test func areaAverageIsTheMeanOfEachBox() {
        // 4 × 2 → 2 × 1: each output pixel is the mean of a 2 × 2 box.
        let image = GrayImage(width: 4, height: 2, pixels: [0, 255, 255, 255,
                                                            0, 255, 100, 200])
        let page = Page(image: image, xDPI: 300, yDPI: 300,
                        provenance: PageProvenance(file: "x", index: 0, compression: "pdf", photometric: "gray",
                                                   bitsPerSample: 8, storedXDPI: 300, storedYDPI: 300))
        #expect(page.thumbnail(maxWidth: 2).pixels == [128, 203])
        #expect(page.thumbnail(maxWidth: 500).pixels == image.pixels, "a page narrower than the thumbnail stays as it is")
    }

    @Test func pngDataIsAPNGLeptonicaReadsBack() throws {
        let page = try DocumentDecoder().decode(path: Shared.path("corpus-dev/0011.pdf")).pages[0]
        let thumbnail = page.thumbnail()
        #expect(thumbnail.width == 160 && thumbnail.height == 207)
        let png = thumbnail.pngData()
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let read = try #require(GrayImage(pngData: png))
        #expect(read.width == thumbnail.width && read.height == thumbnail.height)
        #expect(read == thumbnail, "PNG is lossless")
    }
}
