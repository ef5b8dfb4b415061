import FaxImaging
import Foundation

/// Maps template points to image pixels: scale and offset per axis in the deskewed frame,
/// an optional half turn, then the page's skew.
public struct PageTransform: Sendable, Equatable {
    public var scaleX: Double
    public var offsetX: Double
    public var scaleY: Double
    public var offsetY: Double
    /// True when the page arrived upside down.
    public var upsideDown: Bool
    /// The deskewed frame's extent used for the half turn.
    public var frameWidth: Double
    public var frameHeight: Double
    public var skew: Double
    /// Local corrections down the page to the affine map, in deskewed-frame pixels at template heights:
    /// where each section bar was found against where the affine map puts it, interpolated between bars.
    /// A sheet fed through a scanner is stretched unevenly along its length (the rollers slip as it
    /// leaves them), which no single scale fits.
    public var verticalCorrections: [VerticalCorrection] = []

    /// A shift down the page, in pixels, at a template height, in points.
    public struct VerticalCorrection: Sendable, Equatable {
        public var templateY: Double
        public var shift: Double
    }

    public init(scaleX: Double, offsetX: Double, scaleY: Double, offsetY: Double, upsideDown: Bool,
                frameWidth: Double, frameHeight: Double, skew: Double, verticalCorrections: [VerticalCorrection] = []) {
        self.scaleX = scaleX; self.offsetX = offsetX; self.scaleY = scaleY; self.offsetY = offsetY
        self.upsideDown = upsideDown; self.frameWidth = frameWidth; self.frameHeight = frameHeight; self.skew = skew
        self.verticalCorrections = verticalCorrections
    }

    /// The correction at template height `y`.
    @inlinable
    public func verticalCorrection(at y: Double) -> Double { Self.interpolated(verticalCorrections, at: y) }

    /// `corrections` (sorted by height) at template height `y`: linear between bars, and beyond the first or
    /// last bar continued along the nearest section's (an uneven stretch goes on past the last bar).
    @inlinable
    public static func interpolated(_ corrections: [VerticalCorrection], at y: Double) -> Double {
        let n = corrections.count
        guard n >= 2 else { return corrections.first?.shift ?? 0 }
        var k = 1
        while k < n - 1, corrections[k].templateY < y { k += 1 }
        let a = corrections[k - 1], b = corrections[k]
        let t = (y - a.templateY) / max(b.templateY - a.templateY, 1e-9)
        return a.shift + t * (b.shift - a.shift)
    }

    /// The image pixel under template point (x, y).
    @inlinable
    public func imagePoint(x: Double, y: Double) -> (x: Double, y: Double) {
        var u = scaleX * x + offsetX, v = scaleY * y + offsetY + verticalCorrection(at: y)
        if upsideDown { u = frameWidth - u; v = frameHeight - v }
        let c = cos(skew), s = sin(skew)
        return (u * c - v * s, u * s + v * c)
    }

    public var pixelsPerPoint: Double { (abs(scaleX) + abs(scaleY)) / 2 }
}

/// The structure of a blank template page, in points: what a page's bars are matched against.
public struct TemplateStructure: Sendable, Equatable, Codable {
    public var bars: [SectionBar]
    public var pageWidth: Double
    public var pageHeight: Double

    enum CodingKeys: String, CodingKey { case bars, pageWidth = "page_width_pt", pageHeight = "page_height_pt" }
}

/// A form page found and registered.
public struct FormMatch: Sendable, Equatable {
    public var transform: PageTransform
    public var matchedBars: Int
    public var templateBars: Int
    /// Mean distance of matched bar edges from where the transform puts them, in points.
    public var residual: Double

    /// Rotation to apply to read the page upright, in degrees.
    public var rotation: Int { transform.upsideDown ? 180 : 0 }
    public var skewDegrees: Double { transform.skew * 180 / .pi }
}

/// Finds the transform from template to page from the section bars, trying upright and upside down.
public enum FormRegistrar {
    /// Share of the template's bars a page must show, in the right order and spacing, to be the form.
    static let minimumMatchedShare = 0.66

    /// `dpi` is the page's horizontal resolution; `aspect` its horizontal over its vertical resolution
    /// (204 × 196 for a fine fax).
    public static func match(_ page: PageStructure, template: TemplateStructure, dpi: Double, aspect: Double = 1) -> FormMatch? {
        guard template.bars.count >= 2, page.bars.count >= 2 else { return nil }
        let upright = fit(page.bars, template: template, dpi: dpi, aspect: aspect)
        let W = Double(page.width) * cos(page.skew), H = Double(page.height) * cos(page.skew)
        let turned = page.bars.map { SectionBar(top: H - $0.bottom, bottom: H - $0.top, left: W - $0.right, right: W - $0.left) }
            .sorted { $0.top < $1.top }
        let flipped = fit(turned, template: template, dpi: dpi, aspect: aspect)
        var best: (fit: BarFit, upsideDown: Bool)?
        for candidate in [(upright, false), (flipped, true)] {
            guard let f = candidate.0 else { continue }
            if best == nil || f.matched > best!.fit.matched || (f.matched == best!.fit.matched && f.residual < best!.fit.residual) {
                best = (f, candidate.1)
            }
        }
        guard let best, Double(best.fit.matched) >= minimumMatchedShare * Double(template.bars.count) else { return nil }
        let t = PageTransform(scaleX: best.fit.scaleX, offsetX: best.fit.offsetX, scaleY: best.fit.scaleY, offsetY: best.fit.offsetY,
                              upsideDown: best.upsideDown, frameWidth: W, frameHeight: H, skew: page.skew,
                              verticalCorrections: best.fit.verticalCorrections)
        return FormMatch(transform: t, matchedBars: best.fit.matched, templateBars: template.bars.count,
                         residual: best.fit.residual / max(t.pixelsPerPoint, 1e-6))
    }

    struct BarFit {
        var matched: Int
        var residual: Double
        var scaleX: Double, offsetX: Double, scaleY: Double, offsetY: Double
        var verticalCorrections: [PageTransform.VerticalCorrection]
    }

    /// Tries every pairing of two page bars with two template bars, keeps the one most bars agree with,
    /// then refits with every matched edge.
    static func fit(_ bars: [SectionBar], template: TemplateStructure, dpi: Double, aspect: Double = 1) -> BarFit? {
        let nominal = dpi / 72
        let T = template.bars
        var best: (pairs: [(Int, Int)], residual: Double)?
        for i1 in bars.indices {
            for i2 in bars.indices where i2 > i1 {
                for j1 in T.indices {
                    for j2 in T.indices where j2 > j1 {
                        let s = (bars[i2].center - bars[i1].center) / (T[j2].center - T[j1].center)
                        guard s > nominal * 0.85, s < nominal * 1.15 else { continue }
                        let t = bars[i1].center - s * T[j1].center
                        var pairs: [(Int, Int)] = []
                        var residual = 0.0
                        for j in T.indices {
                            let predicted = s * T[j].center + t
                            let tolerance = max(s * T[j].thickness * 0.5, 3)
                            guard let i = bars.indices.min(by: { abs(bars[$0].center - predicted) < abs(bars[$1].center - predicted) }),
                                  abs(bars[i].center - predicted) < tolerance,
                                  abs(bars[i].thickness - s * T[j].thickness) < max(s * T[j].thickness * 0.5, 3)
                            else { continue }
                            pairs.append((i, j))
                            residual += abs(bars[i].center - predicted)
                        }
                        residual /= Double(max(pairs.count, 1))
                        if best == nil || pairs.count > best!.pairs.count || (pairs.count == best!.pairs.count && residual < best!.residual) {
                            best = (pairs, residual)
                        }
                    }
                }
            }
        }
        guard let best, best.pairs.count >= 2 else { return nil }
        // Least squares on tops and bottoms of the matched bars for the vertical axis.
        var ys: [(Double, Double)] = []
        for (i, j) in best.pairs { ys.append((T[j].top, bars[i].top)); ys.append((T[j].bottom, bars[i].bottom)) }
        let (sy, ty) = line(ys)
        // Horizontal: the bars' ends. A bar cut by the page edge is no evidence of where it ends.
        var lefts: [(Double, Double)] = [], rights: [(Double, Double)] = []
        for (i, j) in best.pairs {
            lefts.append((T[j].left, bars[i].left))
            rights.append((T[j].right, bars[i].right))
        }
        let tl = median(lefts.map(\.0)), pl = median(lefts.map(\.1))
        let tr = median(rights.map(\.0)), pr = median(rights.map(\.1))
        var sx = (pr - pl) / (tr - tl)
        var tx = pl - sx * tl
        // A page fed through a scanner is scaled across and down independently, by 95–102% each: the
        // horizontal scale is taken from the ends unless it is further from the vertical one (in the
        // page's own pixel aspect) than that allows, which only ends cut off or misfound give.
        let ratio = sx / (sy * aspect)
        if !(ratio > 0.9 && ratio < 1.1) {
            sx = sy * aspect
            tx = pl - sx * tl
        }
        // Refined per section: each matched bar's centre pins the map down the page where it lies, when the
        // affine map misses the bars' edges by more than half a point and more than a received pixel. Below
        // that, a bar's position is no surer than the fit through all of them (measured: pinning every page
        // moved zones on 98-dpi faxes by the bars' own noise and lost three fields on corpus-dev). The
        // edges' residual is then measured against the refined map.
        var affineResidual = 0.0
        for (X, Y) in ys { affineResidual += abs(sy * X + ty - Y) }
        affineResidual /= Double(ys.count)
        var corrections: [PageTransform.VerticalCorrection] = []
        if best.pairs.count >= 3, affineResidual > max(0.5 * sy, 1) {
            corrections = best.pairs.map { (i, j) in
                PageTransform.VerticalCorrection(templateY: T[j].center, shift: bars[i].center - (sy * T[j].center + ty))
            }.sorted { $0.templateY < $1.templateY }
        }
        var residual = affineResidual
        if !corrections.isEmpty {
            residual = 0
            for (X, Y) in ys { residual += abs(sy * X + ty + PageTransform.interpolated(corrections, at: X) - Y) }
            residual /= Double(ys.count)
        }
        return BarFit(matched: best.pairs.count, residual: residual, scaleX: sx, offsetX: tx, scaleY: sy, offsetY: ty,
                      verticalCorrections: corrections)
    }

    private static func line(_ points: [(Double, Double)]) -> (Double, Double) {
        let n = Double(points.count)
        let mx = points.map(\.0).reduce(0, +) / n, my = points.map(\.1).reduce(0, +) / n
        var num = 0.0, den = 0.0
        for (x, y) in points { num += (x - mx) * (y - my); den += (x - mx) * (x - mx) }
        let s = den > 0 ? num / den : 1
        return (s, my - s * mx)
    }
}
