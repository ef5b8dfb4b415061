import FaxImaging
import Testing
@testable import FormExtraction

/// Rule removal and speck filtering on drawn zones, where the right answer is known pixel by pixel.
@Suite struct ZoneCleaningTests {
    static let scale = 300.0 / 72

    /// A comb row at 300 dpi: top and bottom borders and vertical cell borders every `cell` pixels.
    static func comb(width: Int = 400, height: Int = 71, cell: Int = 95, line: Int = 4) -> (GrayImage, [Int]) {
        var image = GrayImage(width: width, height: height)
        for x in 0..<width {
            for y in 10..<14 { image[x, y] = 0 }
            for y in 58..<62 { image[x, y] = 0 }
        }
        var lines: [Int] = []
        var x = 8
        while x + line < width {
            for y in 10..<62 { for dx in 0..<line { image[x + dx, y] = 0 } }
            lines.append(x + line / 2)
            x += cell
        }
        return (image, lines)
    }

    @Test func aStrokeLyingOnACombBorderIsKept() {
        var (image, lines) = Self.comb()
        // A vertical stroke 7 pixels wide whose right part covers the second border (x 103–106),
        // joined to a bowl on the right, as an 8 or a 0 typed across the comb.
        for y in 25..<55 { for x in 100..<107 { image[x, y] = 0 } }
        for x in 100..<125 { for y in 25..<29 { image[x, y] = 0 }; for y in 51..<55 { image[x, y] = 0 } }
        for y in 25..<55 { for x in 121..<125 { image[x, y] = 0 } }
        let plain = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 60))
        let comb = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 60), combLines: lines)
        func inkInStroke(_ zone: ZoneImage) -> Int { (30..<50).reduce(0) { sum, y in sum + (100..<107).filter { zone.image[$0, y] < 150 }.count } }
        #expect(inkInStroke(plain) < 20 * 7 / 2)  // thickness alone takes the stroke with the line
        #expect(inkInStroke(comb) == 20 * 7)
        // The borders themselves still go, above and below the glyph and in the empty cells.
        #expect(comb.image[104, 18] == 255)
        #expect(comb.image[199, 40] == 255)
    }

    @Test func aJaggedBorderWithNoGlyphIsRemoved() {
        var (image, lines) = Self.comb()
        // A faxed border wanders a pixel or two to the side for a few rows at a time.
        for y in stride(from: 16, to: 56, by: 8) { for yy in y..<(y + 3) { image[107, yy] = 0; image[108, yy] = 0 } }
        let ink = image.pixels.map { $0 < 150 }
        let strokes = ZoneImage.strokesAlongLines(ink, width: image.width, height: image.height, lines: lines, rows: 12...60, scale: Self.scale)
        #expect(!strokes.contains(true))
    }

    /// Two glyph-sized blocks on a text line, 40 pixels apart, with whatever `mark` draws between them.
    static func line(_ mark: (inout GrayImage) -> Void) -> ZoneImage {
        var image = GrayImage(width: 200, height: 60)
        for y in 15..<45 { for x in 20..<45 { image[x, y] = 0 }; for x in 85..<110 { image[x, y] = 0 } }
        mark(&image)
        return ZoneImage.cleaned(image, scale: Self.scale)
    }

    @Test func aLoneNoiseDotHalfwayUpIsDropped() {
        // Seven pixels, two across and four high: what a lone noise pixel of a 98-dpi fax becomes.
        let zone = Self.line { image in for y in 28..<32 { for x in 60..<62 where (x, y) != (61, 31) { image[x, y] = 0 } } }
        #expect(zone.image[60, 29] == 255)
    }

    @Test func aColonsDotsAndAPeriodStay() {
        let colon = Self.line { image in
            for y in 27..<31 { for x in 60..<62 { image[x, y] = 0 } }
            for y in 40..<44 { for x in 60..<62 { image[x, y] = 0 } }
        }
        #expect(colon.image[60, 28] < 150)
        #expect(colon.image[60, 41] < 150)
        // A period on the line half a cell after its glyph, farther than a speck's reach.
        let period = Self.line { image in for y in 39..<45 { for x in 63..<66 { image[x, y] = 0 } } }
        #expect(period.image[64, 41] < 150)
        // A hyphen lies on its side.
        let hyphen = Self.line { image in for y in 29..<31 { for x in 58..<67 { image[x, y] = 0 } } }
        #expect(hyphen.image[60, 29] < 150)
    }

    @Test func capitalsSetCloseAreNotARule() {
        // The tops of a C and a T, two pixels apart, make a run longer than any glyph.
        var image = GrayImage(width: 200, height: 60)
        for x in 20..<40 { for y in 15..<19 { image[x, y] = 0 } }
        for y in 15..<45 { for x in 20..<24 { image[x, y] = 0 } }
        for x in 20..<40 { for y in 41..<45 { image[x, y] = 0 } }
        for x in 42..<66 { for y in 15..<19 { image[x, y] = 0 } }
        for y in 15..<45 { for x in 52..<56 { image[x, y] = 0 } }
        let zone = ZoneImage.cleaned(image, scale: Self.scale)
        #expect(zone.image[30, 16] < 150)
        #expect(zone.image[60, 16] < 150)
    }

    /// A table cell's top rule as a paper fax gives it: 6 pixels thick, 7 where the skewed rule steps down a
    /// row, and a value set just below it.
    static func unevenRule(stepEvery: Int = 46, stepWidth: Int = 16) -> GrayImage {
        var image = GrayImage(width: 400, height: 83)
        for x in 0..<400 {
            let step = x % stepEvery < stepWidth
            for y in 10..<(step ? 17 : 16) { image[x, y] = 0 }
        }
        // "21"-sized glyph blocks, 5 pixels under the rule.
        for y in 21..<45 { for x in 30..<34 { image[x, y] = 0 }; for x in 50..<54 { image[x, y] = 0 } }
        for x in 30..<54 { for y in 41..<45 { image[x, y] = 0 } }
        return image
    }

    @Test func aFaxedRulesThickPlacesGoWithIt() {
        let zone = ZoneImage.cleaned(Self.unevenRule(), scale: Self.scale, keep: (top: 12, bottom: 75))
        // Nothing of the rule is left, its steps included; the glyphs below it stay.
        let leftOfRule = (0..<400).filter { x in (8..<19).contains { zone.image[x, $0] < 150 } }
        #expect(leftOfRule.isEmpty)
        #expect(zone.image[31, 30] < 150)
        #expect(zone.image[40, 42] < 150)
    }

    @Test func aGlyphTouchingASpanningRuleIsKept() {
        var image = Self.unevenRule()
        // A stroke rising from the glyph to touch the rule: it leaves the rule's band for a glyph's height.
        for y in 16..<21 { for x in 30..<34 { image[x, y] = 0 } }
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 75))
        #expect(zone.image[31, 22] < 150)
        #expect(zone.image[31, 35] < 150)
    }

    /// A single-line zone (17 pt at 300 dpi) with its underline at rows 58–61.
    static func underlined(width: Int = 400) -> GrayImage {
        var image = GrayImage(width: width, height: 71)
        for x in 0..<width { for y in 58..<62 { image[x, y] = 0 } }
        return image
    }

    /// An l or the stem of an f typed onto the underline at 12 pt: the stem and the rule run 47 pixels,
    /// longer than a vertical rule's 45, but the stem's top end is free. It stays; the rule goes.
    @Test func aTallStemStandingOnTheUnderlineIsKept() {
        var image = Self.underlined()
        for y in 11..<58 { for x in 100..<104 { image[x, y] = 0 } }
        // A bowl beside it, so the line has a glyph's company.
        for y in 35..<58 { for x in 120..<140 where y < 39 || y > 53 || x < 124 || x > 135 { image[x, y] = 0 } }
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 62))
        let stem = (11..<56).filter { zone.image[101, $0] < 150 }.count
        #expect(stem >= 40)
        #expect(zone.image[300, 59] == 255)
    }

    /// The feet of serifed capitals set close ("ABA" in Courier) join into one flat run longer than a glyph,
    /// a few pixels above the underline. It covers little of the line, so it is no rule: erased, the B
    /// loses its foot and reads as an R.
    @Test func theJoinedFeetOfSerifedCapitalsAreNotARule() {
        var image = Self.underlined()
        for x0 in [22, 52, 82] { for y in 20..<50 { for x in x0..<(x0 + 4) { image[x, y] = 0 } } }
        for x in 14..<100 { for y in 46..<50 { image[x, y] = 0 } }
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 62))
        #expect((14..<100).allSatisfy { zone.image[$0, 47] < 150 })
        #expect((0..<400).allSatisfy { zone.image[$0, 59] == 255 })
    }

    /// An underline a paper fax broke into dashes, each longer than a glyph: together they cross the zone,
    /// so they are rule and go, while the value above stays.
    @Test func anUnderlineBrokenIntoLongDashesGoes() {
        var image = GrayImage(width: 400, height: 71)
        for x in 0..<400 where x % 50 < 40 { for y in 58..<62 { image[x, y] = 0 } }
        Self.drawStems(&image, at: [30, 50])
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 62))
        #expect((0..<400).allSatisfy { x in (56..<64).allSatisfy { zone.image[x, $0] >= 150 } })
        #expect(zone.image[31, 30] < 150)
    }

    /// A speck left in an empty cell (a rule's corner, 2 x 2.4 pt) is no value; a 1 as narrow but a
    /// digit's height, and a hyphen as flat but a glyph's width, are.
    @Test func aSpeckIsNoValueButANarrowDigitIs() {
        func zone(_ draw: (inout GrayImage) -> Void) -> ZoneImage {
            var image = GrayImage(width: 400, height: 71)
            draw(&image)
            return ZoneImage.cleaned(image, scale: Self.scale)
        }
        let margin = Int(3 * Self.scale)
        let speck = zone { image in for y in 30..<40 { for x in 100..<108 { image[x, y] = 0 } } }
        #expect(speck.inkPixels == 80)  // cleaning keeps it; only its size says it is no value
        #expect(speck.valueCrop(margin: margin, scale: Self.scale) == nil)
        #expect(zone { image in for y in 20..<45 { for x in 100..<104 { image[x, y] = 0 } } }.valueCrop(margin: margin, scale: Self.scale) != nil)
        #expect(zone { image in for y in 30..<34 { for x in 100..<115 { image[x, y] = 0 } } }.valueCrop(margin: margin, scale: Self.scale) != nil)
    }

    /// A streak (a scanner's dirty sensor) crossing a block's ruled line goes with it, though both its ends
    /// are free and it is shorter than half as long again as a vertical rule.
    @Test func aStreakCrossingRuledLinesIsRemoved() {
        var image = GrayImage(width: 400, height: 200)
        for x in 0..<400 { for y in [60, 110, 160] { for dy in 0..<4 { image[x, y + dy] = 0 } } }
        for y in 40..<100 { image[200, y] = 0; image[201, y] = 0 }
        Self.drawStems(&image, at: [30, 50])
        let zone = ZoneImage.cleaned(image, scale: Self.scale)
        #expect((40..<100).allSatisfy { zone.image[200, $0] == 255 })
        #expect(zone.image[31, 30] < 150)
    }

    /// Glyph stems 4 pixels wide from row 20 to 44, the height of a digit.
    static func drawStems(_ image: inout GrayImage, at columns: [Int]) {
        for x0 in columns { for y in 20..<45 { for x in x0..<(x0 + 4) { image[x, y] = 0 } } }
    }

    /// A value in a table cell whose bottom border a paper fax broke into dashes: each dash is too short to
    /// be found as a rule, thicker than the rule was printed (a step's overlap), and below the text's rows.
    @Test func aBorderBrokenIntoDashesBelowTheValueIsDropped() {
        var image = GrayImage(width: 400, height: 83)
        Self.drawStems(&image, at: [30, 50])
        for x in 30..<54 { for y in 20..<24 { image[x, y] = 0 } }
        // Dashes 24 pixels long and 9 thick, 12 pixels under the text.
        for x0 in [110, 300] { for x in x0..<(x0 + 24) { for y in 57..<66 { image[x, y] = 0 } } }
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 75))
        #expect((0..<400).allSatisfy { x in (55..<68).allSatisfy { zone.image[x, $0] >= 150 } })
        #expect(zone.image[31, 30] < 150)
        #expect(zone.image[40, 22] < 150)
    }

    /// A hyphen is as flat as a dash of rule, but it sits within its line's rows: it stays.
    @Test func aHyphenWithinTheLineStays() {
        var image = GrayImage(width: 400, height: 83)
        Self.drawStems(&image, at: [30, 70])
        for x in 42..<62 { for y in 32..<36 { image[x, y] = 0 } }
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 75))
        #expect(zone.image[50, 33] < 150)
    }

    /// An empty cell whose skewed rule steps leave short overlaps after the rule is erased: nothing is left.
    @Test func aSkewedRulesStepsInAnEmptyCellGo() {
        var image = GrayImage(width: 400, height: 83)
        for x in 0..<400 {
            // The rule drops a row every 100 pixels; where it does, both rows' worth of rule overlap for 12.
            let row = 10 + 2 * (x / 100)
            for y in row..<(row + 5) { image[x, y] = 0 }
            if x % 100 >= 88 { for y in (row + 2)..<(row + 7) { image[x, y] = 0 } }
        }
        let zone = ZoneImage.cleaned(image, scale: Self.scale, keep: (top: 12, bottom: 75))
        #expect(zone.inkPixels == 0)
    }
}
