import FaxImaging
import Foundation

/// A solid horizontal bar (a form's section header), measured in the page's deskewed frame, in pixels.
public struct SectionBar: Sendable, Equatable, Codable {
    public var top: Double
    public var bottom: Double
    public var left: Double
    public var right: Double

    public var center: Double { (top + bottom) / 2 }
    public var thickness: Double { bottom - top }
    public var length: Double { right - left }
}

/// The printed structure found on a page: its skew and its section bars, without any OCR.
///
/// The deskewed frame is the image rotated by `-skew` about the origin:
/// u = x·cosθ + y·sinθ, v = −x·sinθ + y·cosθ.
public struct PageStructure: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Skew in radians; positive when horizontal lines fall to the right.
    public var skew: Double
    public var bars: [SectionBar]

    public var skewDegrees: Double { skew * 180 / .pi }
}

/// Finds skew and section bars cheaply: a reduced dark-cell mask for the search, full resolution for the edges.
public enum StructureAnalyzer {
    /// Bars shorter than this share of the page width are not section bars.
    static let minimumBarShare = 0.3

    public static func analyze(_ image: GrayImage, dpi: Double) -> PageStructure {
        let factor = max(1, Int((dpi / 50).rounded()))
        let mask = CellMask(image: image, factor: factor)
        let coarseAngle = mask.bestAngle(range: 3.0 * .pi / 180, step: 0.1 * .pi / 180)
        var bars = mask.bars(angle: coarseAngle, minimumShare: minimumBarShare).map { bar in
            SectionBar(top: bar.top * Double(factor), bottom: bar.bottom * Double(factor),
                       left: bar.left * Double(factor), right: bar.right * Double(factor))
        }
        var angle = coarseAngle
        if !bars.isEmpty, let refined = refineSkew(image, bars: bars, angle: coarseAngle, margin: Double(factor) * 2.5) {
            angle = refined.angle
            bars = refined.bars
            // The coarse ends are the 2% and 98% points of the bar's dark cells, so they lie about 2% of the
            // bar's length inside its true ends: the search reaches that far past them, and three cells more.
            // (It reached three cells only, and each end stopped at the search's edge: bars measured up to
            // 7 pixels short, zones at the right edge of a page scaled 102% across a point and more off.)
            bars = bars.map { refineEnds(image, bar: $0, angle: angle, margin: Double(factor) * 3 + 0.025 * $0.length) }
        }
        return PageStructure(width: image.width, height: image.height, skew: angle, bars: bars)
    }

    /// Fits one slope to the top and bottom edges of all bars, each bar with its own offsets.
    static func refineSkew(_ image: GrayImage, bars: [SectionBar], angle: Double, margin: Double) -> (angle: Double, bars: [SectionBar])? {
        let cosA = cos(angle), sinA = sin(angle)
        // Edge samples per bar: (x, y) of the top edge and of the bottom edge.
        var tops: [[(Double, Double)]] = [], bottoms: [[(Double, Double)]] = []
        for bar in bars {
            var top: [(Double, Double)] = [], bottom: [(Double, Double)] = []
            let samples = 32
            for k in 0..<samples {
                let u = bar.left + (bar.right - bar.left) * (0.05 + 0.9 * Double(k) / Double(samples - 1))
                // Column in the image under deskewed (u, v): x = u·cos − v·sin, y = u·sin + v·cos.
                let x = Int((u * cosA - bar.center * sinA).rounded())
                guard x >= 0, x < image.width else { continue }
                let yTop = u * sinA + bar.top * cosA, yBottom = u * sinA + bar.bottom * cosA
                if let y = firstInk(image, x: x, from: Int(yTop - margin), to: Int(yTop + margin), step: 1) {
                    top.append((Double(x), Double(y)))
                }
                if let y = firstInk(image, x: x, from: Int(yBottom + margin), to: Int(yBottom - margin), step: -1) {
                    bottom.append((Double(x), Double(y) + 1))
                }
            }
            tops.append(top); bottoms.append(bottom)
        }
        let groups = (tops + bottoms).filter { $0.count >= 8 }
        guard !groups.isEmpty, var slope = sharedSlope(groups) else { return nil }
        // One pass of outlier rejection: white title text or speckle at an edge.
        let cleaned = groups.map { group -> [(Double, Double)] in
            let intercept = median(group.map { $0.1 - slope * $0.0 })
            return group.filter { abs($0.1 - slope * $0.0 - intercept) < 2.5 }
        }.filter { $0.count >= 6 }
        if let again = sharedSlope(cleaned) { slope = again }
        let refined = atan(slope)
        let c = cos(refined)
        func edge(_ group: [(Double, Double)], fallback: Double) -> Double {
            guard group.count >= 4 else { return fallback }
            return median(group.map { $0.1 - slope * $0.0 }) * c
        }
        let newBars = bars.indices.map { i in
            SectionBar(top: edge(tops[i], fallback: bars[i].top), bottom: edge(bottoms[i], fallback: bars[i].bottom),
                       left: bars[i].left, right: bars[i].right)
        }
        return (refined, newBars)
    }

    /// Measures where a bar starts and ends along its length, at full resolution.
    static func refineEnds(_ image: GrayImage, bar: SectionBar, angle: Double, margin: Double) -> SectionBar {
        let cosA = cos(angle), sinA = sin(angle)
        var lefts: [Double] = [], rights: [Double] = []
        for fraction in [0.2, 0.35, 0.5, 0.65, 0.8] {
            let v = bar.top + bar.thickness * fraction
            func dark(_ u: Double) -> Bool {
                let x = Int((u * cosA - v * sinA).rounded()), y = Int((u * sinA + v * cosA).rounded())
                guard x >= 0, y >= 0, x < image.width, y < image.height else { return false }
                return image[x, y] < 128
            }
            var u = bar.left - margin
            while u < bar.left + margin, !dark(u) { u += 1 }
            if u < bar.left + margin { lefts.append(u) }
            u = bar.right + margin
            while u > bar.right - margin, !dark(u) { u -= 1 }
            if u > bar.right - margin { rights.append(u + 1) }
        }
        var out = bar
        if lefts.count >= 3 { out.left = median(lefts) }
        if rights.count >= 3 { out.right = median(rights) }
        return out
    }

    private static func firstInk(_ image: GrayImage, x: Int, from: Int, to: Int, step: Int) -> Int? {
        var y = from
        while step > 0 ? y <= to : y >= to {
            // Two dark pixels in a row: a bar edge, not a speckle.
            if y >= 0, y < image.height, y + step >= 0, y + step < image.height,
               image[x, y] < 128, image[x, y + step] < 128 {
                return y
            }
            y += step
        }
        return nil
    }

    private static func sharedSlope(_ groups: [[(Double, Double)]]) -> Double? {
        var num = 0.0, den = 0.0
        for g in groups where g.count >= 2 {
            let mx = g.map(\.0).reduce(0, +) / Double(g.count)
            let my = g.map(\.1).reduce(0, +) / Double(g.count)
            for (x, y) in g { num += (x - mx) * (y - my); den += (x - mx) * (x - mx) }
        }
        return den > 0 ? num / den : nil
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// A page reduced to cells of `factor`×`factor` pixels, a cell dark when at least half its pixels are:
/// solid bars survive, text strokes and speckle mostly do not.
struct CellMask {
    let width: Int
    let height: Int
    /// Dark cells as (x, y) in cell units.
    let dark: [(Int32, Int32)]

    init(image: GrayImage, factor: Int) {
        let width = image.width / factor, height = image.height / factor
        self.width = width
        self.height = height
        var cells: [(Int32, Int32)] = []
        var counts = [Int](repeating: 0, count: max(width, 0))
        let need = (factor * factor + 1) / 2
        image.pixels.withUnsafeBufferPointer { px in
            for cy in 0..<height {
                for i in 0..<width { counts[i] = 0 }
                for y in (cy * factor)..<(cy * factor + factor) {
                    let row = y * image.width
                    for cx in 0..<width {
                        var n = 0
                        let start = row + cx * factor
                        // Under 128 is a clear top bit: counted without a branch per pixel.
                        for x in start..<(start + factor) { n &+= 1 &- Int(px[x] >> 7) }
                        counts[cx] += n
                    }
                }
                for cx in 0..<width where counts[cx] >= need { cells.append((Int32(cx), Int32(cy))) }
            }
        }
        dark = cells
    }

    /// Row profile of dark cells in the frame rotated by `angle`.
    func profile(angle: Double) -> [Int] {
        let sinA = sin(angle), cosA = cos(angle)
        let pad = Int(Double(width) * abs(sinA)) + 2
        var bins = [Int](repeating: 0, count: height + 2 * pad + 2)
        for (x, y) in dark {
            let v = Int((-Double(x) * sinA + Double(y) * cosA).rounded()) + pad
            if v >= 0, v < bins.count { bins[v] += 1 }
        }
        return bins
    }

    /// The angle whose row profile is the most peaked: long straight rows line up with it.
    func bestAngle(range: Double, step: Double) -> Double {
        guard dark.count > 50 else { return 0 }
        var best = 0.0, bestScore = -1.0
        var scores: [(Double, Double)] = []
        var a = -range
        while a <= range + 1e-9 {
            let score = profile(angle: a).reduce(0.0) { $0 + Double($1) * Double($1) }
            scores.append((a, score))
            if score > bestScore { bestScore = score; best = a }
            a += step
        }
        // Parabolic interpolation between the neighbours of the best step.
        if let i = scores.firstIndex(where: { $0.0 == best }), i > 0, i < scores.count - 1 {
            let l = scores[i - 1].1, c = scores[i].1, r = scores[i + 1].1
            let denom = l - 2 * c + r
            if denom < 0 { best += step * 0.5 * (l - r) / denom }
        }
        return best
    }

    /// Runs of rows dense enough to be bars, with their extent along the row; in cell units, deskewed frame.
    func bars(angle: Double, minimumShare: Double) -> [SectionBar] {
        let sinA = sin(angle), cosA = cos(angle)
        let pad = Int(Double(width) * abs(sinA)) + 2
        let bins = profile(angle: angle)
        let threshold = Int(Double(width) * minimumShare)
        var runs: [(Int, Int)] = []
        var start: Int?
        for (v, n) in bins.enumerated() {
            if n >= threshold { if start == nil { start = v } } else if let s = start { runs.append((s, v)); start = nil }
        }
        if let s = start { runs.append((s, bins.count)) }
        // A section bar is several cells thick; a rule or underline is one.
        return runs.filter { $0.1 - $0.0 >= 3 }.compactMap { run in
            var us: [Double] = []
            for (x, y) in dark {
                let v = Int((-Double(x) * sinA + Double(y) * cosA).rounded()) + pad
                if v >= run.0 + 1, v < run.1 - 1 { us.append(Double(x) * cosA + Double(y) * sinA) }
            }
            guard us.count > 10 else { return nil }
            us.sort()
            let left = us[us.count / 50], right = us[us.count - 1 - us.count / 50]
            return SectionBar(top: Double(run.0 - pad), bottom: Double(run.1 - pad), left: left, right: right + 1)
        }
    }
}
