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
        var testDescription: String { "skew \(skewDegrees)°, scale \(scaleX)×\(scaleY), shift \(shiftX),\(shiftY) mm, header \(headerRows) rows" }
    }

    /// The page as sent is itself skewed by about -0.5°: these take it to +2° and -2°, the ends of the range.
    static let cases: [Distortion] = [
        Distortion(skewDegrees: 2.5, scaleX: 0.95, scaleY: 1.02, shiftX: 8, shiftY: -8, headerRows: 40),
        Distortion(skewDegrees: -1.5, scaleX: 1.02, scaleY: 0.95, shiftX: -8, shiftY: 8, headerRows: 40),
    ]

    /// The page's content mapped through the distortion about the page's centre, nearest pixel (a fax is
    /// bilevel), then a band of header print pushed in on top.
    static func distorted(_ page: Page, _ d: Distortion) -> Page {
        let src = page.image, w = src.width, h = src.height
        let angle = d.skewDegrees * .pi / 180, c = cos(angle), s = sin(angle)
        let cx = Double(w) / 2, cy = Double(h) / 2
        let tx = d.shiftX / 25.4 * page.xDPI, ty = d.shiftY / 25.4 * page.yDPI
        var out = GrayImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                // Inverse: undo the shift, the rotation, then the scale.
                let u = Double(x) - cx - tx, v = Double(y - d.headerRows) - cy - ty
                let sx = (c * u + s * v) / d.scaleX + cx, sy = (-s * u + c * v) / d.scaleY + cy
                let ix = Int(sx.rounded()), iy = Int(sy.rounded())
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
        let sentSkew = try #require(extractor.classify(sent)).skewDegrees
        let page = Self.distorted(sent, distortion)
        let match = try #require(extractor.classify(page))
        #expect(match.rotation == 0)
        #expect(abs(match.skewDegrees - (sentSkew + distortion.skewDegrees)) < 0.1, "measured \(match.skewDegrees)°, sent \(sentSkew)°")
        #expect(match.residual < 1)
        let result = try extractor.read(formPage: page, index: 0, match: match, file: "0013.tif", pages: 1)
        let right = truth.fields.filter { result.fields[$0.key]?.value == $0.value }
        // The page as sent reads 36 of 36. Turned and resampled, this font's dotted zero can read as a 6 (a
        // recogniser's error, in zones that land right); a zone off its box loses many fields at once.
        #expect(right.count >= truth.fields.count - 4, "wrong: \(truth.fields.filter { result.fields[$0.key]?.value != $0.value }.map { "\($0.key) '\(result.fields[$0.key]?.value ?? "")'" }.sorted())")
        for (group, selected) in truth.checkboxGroups { #expect(result.checkboxes[group]?.selected == selected, "\(group)") }
    }
}
