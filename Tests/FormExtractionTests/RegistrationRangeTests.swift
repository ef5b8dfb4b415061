import FaxImaging
import Foundation
import Testing
@testable import FormExtraction

/// A clean fine fax of the form, moved the way a page fed through a fax machine's scanner moves: skewed,
/// scaled differently across and down, shifted, with a sender's header line added on top. Registration
/// must hold over the whole range, and the fields must read as on the page as sent.
@Suite struct RegistrationRangeTests {
    struct Distortion: CustomTestStringConvertible, Sendable {
        var skewDegrees: Double
        var scaleX: Double
        var scaleY: Double
        /// Millimetres, right and down.
        var shiftX: Double
        var shiftY: Double
        var headerRows: Int
        /// How much the vertical scale grows from the page's top to its bottom: a scanner's feed rollers
        /// slip as the sheet leaves them, so the page is stretched unevenly down its length.
        var feedStretch: Double = 0
        var testDescription: String {
            "skew \(skewDegrees)°, scale \(scaleX)×\(scaleY), shift \(shiftX),\(shiftY) mm, header \(headerRows) rows"
                + (feedStretch == 0 ? "" : ", feed stretch \(feedStretch)")
        }
    }

    /// The page as sent is itself skewed by about -0.5°: these take it to +2° and -2°, the ends of the range.
    static let cases: [Distortion] = [
        Distortion(skewDegrees: 2.5, scaleX: 0.95, scaleY: 1.02, shiftX: 8, shiftY: -8, headerRows: 40),
        Distortion(skewDegrees: -1.5, scaleX: 1.02, scaleY: 0.95, shiftX: -8, shiftY: 8, headerRows: 40),
        // 97.5% at the top to 102.5% at the bottom: no one affine map fits the whole page within a point.
        Distortion(skewDegrees: 1, scaleX: 1, scaleY: 1, shiftX: 0, shiftY: 0, headerRows: 0, feedStretch: 0.05),
    ]

    /// Where the pixel at (x, y) of the distorted page came from on the page as sent: undo the header,
    /// the shift, the rotation about the centre, then the scale (which the feed stretch varies down the page).
    static func source(of x: Double, _ y: Double, _ d: Distortion, width w: Int, height h: Int, dpi: (x: Double, y: Double)) -> (x: Double, y: Double) {
        let angle = d.skewDegrees * .pi / 180, c = cos(angle), s = sin(angle)
        let cx = Double(w) / 2, cy = Double(h) / 2
        let u = x - cx - d.shiftX / 25.4 * dpi.x, v = y - Double(d.headerRows) - cy - d.shiftY / 25.4 * dpi.y
        let local = d.scaleY * (1 + d.feedStretch * (y / Double(h) - 0.5))
        return ((c * u + s * v) / d.scaleX + cx, (-s * u + c * v) / local + cy)
    }

    /// Where a point of the page as sent lands on the distorted page: `source` inverted by iteration.
    static func destination(of point: (x: Double, y: Double), _ d: Distortion, width w: Int, height h: Int, dpi: (x: Double, y: Double)) -> (x: Double, y: Double) {
        let angle = d.skewDegrees * .pi / 180, c = cos(angle), s = sin(angle)
        var x = point.x, y = point.y
        for _ in 0..<50 {
            let back = source(of: x, y, d, width: w, height: h, dpi: dpi)
            let ex = point.x - back.x, ey = point.y - back.y
            x += c * ex * d.scaleX - s * ey * d.scaleY
            y += s * ex * d.scaleX + c * ey * d.scaleY
        }
        return (x, y)
    }

    /// The page's content mapped through the distortion, nearest pixel (a fax is bilevel), then a band of
    /// header print pushed in on top.
    static func distorted(_ page: Page, _ d: Distortion) -> Page {
        let src = page.image, w = src.width, h = src.height
        var out = GrayImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                let from = source(of: Double(x), Double(y), d, width: w, height: h, dpi: (page.xDPI, page.yDPI))
                let ix = Int(from.x.rounded()), iy = Int(from.y.rounded())
                if ix >= 0, iy >= 0, ix < w, iy < h { out.pixels[y * w + x] = src.pixels[iy * w + ix] }
            }
        }
        // A header line of print: blocks the size of 10 pt capitals with word gaps, along the top.
        let glyph = Int(page.yDPI * 7 / 72), top = max(0, d.headerRows / 2 - glyph / 2)
        var x = 40
        while x + 30 < w - 40, top + glyph < h {
            for yy in top..<(top + glyph) { for xx in x..<(x + 22) where (xx + yy) % 5 != 0 { out.pixels[yy * w + xx] = 0 } }
            x += (x / 30) % 6 == 5 ? 60 : 30
        }
        return Page(image: out, xDPI: page.xDPI, yDPI: page.yDPI, provenance: page.provenance)
    }

    @Test(arguments: cases)
    func registrationHoldsAndFieldsReadAsSent(distortion: Distortion) throws {
        let document = try DocumentDecoder().decode(path: Fixtures.corpus("0013.tif"))
        let truth = try DocumentTruth.load(Fixtures.corpus("0013.truth.json"))
        let extractor = try Fixtures.extractor()
        let sent = document.pages[try #require(truth.formPage) - 1]
        let sentMatch = try #require(extractor.classify(sent))
        let sentSkew = sentMatch.skewDegrees
        let page = Self.distorted(sent, distortion)
        let match = try #require(extractor.classify(page))
        #expect(match.rotation == 0)
        #expect(abs(match.skewDegrees - (sentSkew + distortion.skewDegrees)) < 0.1, "measured \(match.skewDegrees)°, sent \(sentSkew)°")
        #expect(match.residual < 1)
        // Each field's box lands where the distortion took it: the corners of each value box as the page as
        // sent registers them, carried through the distortion, against the registration of the distorted
        // page. Within a point between the first and the last section bar, which anchor the map there; within
        // three below the last bar, where an uneven stretch down the page can only be extrapolated.
        let bars = extractor.form.structure.bars
        var worst = (points: 0.0, field: "", across: 0.0, down: 0.0), worstOutside = worst
        for spec in extractor.form.template.fields {
            let anchored = spec.valueBox.y >= bars.first!.top && spec.valueBox.y + spec.valueBox.height <= bars.last!.bottom
            let box = spec.valueBox
            for corner in [(box.x, box.y), (box.x + box.width, box.y), (box.x, box.y + box.height), (box.x + box.width, box.y + box.height)] {
                let truth = Self.destination(of: sentMatch.transform.imagePoint(x: corner.0, y: corner.1), distortion,
                                             width: page.image.width, height: page.image.height, dpi: (page.xDPI, page.yDPI))
                let found = match.transform.imagePoint(x: corner.0, y: corner.1)
                let across = (found.x - truth.x) * 72 / page.xDPI, down = (found.y - truth.y) * 72 / page.yDPI
                if anchored, hypot(across, down) > worst.points { worst = (hypot(across, down), spec.name, across, down) }
                if !anchored, hypot(across, down) > worstOutside.points { worstOutside = (hypot(across, down), spec.name, across, down) }
            }
        }
        #expect(worst.points < 1, "\(worst.field) is \(worst.points) pt off (\(worst.across) across, \(worst.down) down)")
        #expect(worstOutside.points < 3, "\(worstOutside.field) is \(worstOutside.points) pt off (\(worstOutside.across) across, \(worstOutside.down) down)")
        let result = try extractor.read(formPage: page, index: 0, match: match, file: "0013.tif", pages: 1)
        let right = truth.fields.filter { result.fields[$0.key]?.value == $0.value }
        // The page as sent reads 36 of 36. Turned and resampled, this font's dotted zero can read as a 6 (a
        // recogniser's error, in zones that land right); a zone off its box loses many fields at once.
        #expect(right.count >= truth.fields.count - 4, "wrong: \(truth.fields.filter { result.fields[$0.key]?.value != $0.value }.map { "\($0.key) '\(result.fields[$0.key]?.value ?? "")'" }.sorted())")
        for (group, selected) in truth.checkboxGroups { #expect(result.checkboxes[group]?.selected == selected, "\(group)") }
    }
}
