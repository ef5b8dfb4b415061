import Foundation
import Testing
@testable import FaxImaging

@Suite struct HeldPageTests {
    @Test func bilevelFaxPageRoundTripsPackedToAnEighth() throws {
        let document = try DocumentDecoder().decode(path: Shared.path("realdata/faxes/ccitt_1.tif"))
        let page = document.pages[0]
        #expect(page.image.width == 1728)
        let held = HeldPage(page)
        #expect(held.isBilevel)
        #expect(held.byteCount == 216 * page.image.height)
        #expect(held.byteCount * 8 == page.image.pixels.count)
        let back = held.page()
        #expect(back.image == page.image)
        #expect(back.xDPI == page.xDPI && back.yDPI == page.yDPI)
        #expect(back.provenance == page.provenance)
        #expect(back.isBlank == page.isBlank)
    }

    @Test func letterSizeFaxPageIsAboutAnEighthOfItsGraySize() {
        // 1728 × 2200, the size of a fine US letter fax page, with ink in a pattern that is not byte-aligned.
        var image = GrayImage(width: 1728, height: 2200)
        for y in stride(from: 0, to: 2200, by: 7) { for x in stride(from: y % 5, to: 1728, by: 3) { image[x, y] = 0 } }
        let page = Page(image: image, xDPI: 204, yDPI: 196,
                        provenance: PageProvenance(file: "f.tif", index: 3, compression: "g4", photometric: "min-is-white",
                                                   bitsPerSample: 1, storedXDPI: 204, storedYDPI: 196))
        let held = HeldPage(page)
        #expect(held.byteCount == 1728 * 2200 / 8)
        #expect(held.page().image == image)
        #expect(held.page().provenance.index == 3)
    }

    @Test func oddWidthsRoundTrip() {
        for width in [1, 7, 9, 13] {
            var image = GrayImage(width: width, height: 3)
            for i in stride(from: 0, to: width * 3, by: 2) { image.pixels[i] = 0 }
            let page = Page(image: image, xDPI: 200, yDPI: 200,
                            provenance: PageProvenance(file: "x", index: 0, compression: "none", photometric: "min-is-black",
                                                       bitsPerSample: 1, storedXDPI: 200, storedYDPI: 200))
            let held = HeldPage(page)
            #expect(held.isBilevel)
            #expect(held.byteCount == (width + 7) / 8 * 3)
            #expect(held.page().image == image)
        }
    }

    @Test func grayScanPageIsKeptAsItIs() throws {
        let document = try DocumentDecoder().decode(path: Shared.path("corpus-dev/0011.pdf"))
        let page = document.pages[0]
        #expect(page.image.pixels.contains { $0 != 0 && $0 != 255 })
        let held = HeldPage(page)
        #expect(!held.isBilevel)
        #expect(held.byteCount == page.image.pixels.count)
        let back = held.page()
        #expect(back.image == page.image)
        #expect(back.xDPI == page.xDPI && back.yDPI == page.yDPI)
        #expect(back.provenance == page.provenance)
        #expect(back.isBlank == page.isBlank)
    }

    @Test func blankPageStaysBlank() {
        let page = Page(image: GrayImage(width: 64, height: 64), xDPI: 200, yDPI: 200,
                        provenance: PageProvenance(file: "x", index: 0, compression: "g4", photometric: "min-is-white",
                                                   bitsPerSample: 1, storedXDPI: 200, storedYDPI: 200))
        #expect(page.isBlank)
        #expect(HeldPage(page).page().isBlank)
    }
}
