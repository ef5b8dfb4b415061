import FaxImaging

/// Measures the ink inside a checkbox by finding its printed frame rather than trusting the template.
///
/// A fax thickens strokes by up to a point on each side and registration is good to about a point,
/// so a fixed "inner part of the box" catches the frame of an empty box on a heavy fax. Instead the
/// frame is located in a window around the expected box: the dark component of about a box's size
/// nearest the expected centre. Its strokes' thickness is measured from its four sides, and only the
/// part inside them is counted. An X, a tick, a fill or a faint stroke inside changes that share; the
/// frame itself never does.
enum CheckboxInk {
    /// The share of dark pixels inside the frame, or nil when no frame of about the right size is found.
    ///
    /// `window` is the box with `margin` pixels of page around it; `side` is the box's side in pixels.
    static func share(in window: GrayImage, side: Double, margin: Int, sourcePixel: Double = 1, threshold: UInt8 = 160) -> Double? {
        let w = window.width, h = window.height
        let ink = window.pixels.map { $0 < threshold }
        let expectedX = Double(margin) + side / 2, expectedY = Double(margin) + side / 2
        let frames = ZoneImage.connectedComponents(ink, width: w, height: h).filter { c in
            let cw = Double(c.maxX - c.minX + 1), ch = Double(c.maxY - c.minY + 1)
            return cw >= 0.7 * side && cw <= 1.6 * side && ch >= 0.7 * side && ch <= 1.6 * side
        }
        func distance(_ c: ZoneImage.Component) -> Double {
            let cx = Double(c.minX + c.maxX + 1) / 2, cy = Double(c.minY + c.maxY + 1) / 2
            return (cx - expectedX) * (cx - expectedX) + (cy - expectedY) * (cy - expectedY)
        }
        guard let frame = frames.min(by: { distance($0) < distance($1) }),
              distance(frame) <= (0.5 * side) * (0.5 * side) else { return nil }
        let x0 = frame.minX, x1 = frame.maxX, y0 = frame.minY, y1 = frame.maxY
        // Where each side's stroke ends on the inside: from the frame's outer bound inwards, past any
        // paper (a skewed or ragged frame) and then through the first run of ink, at a quarter, half and
        // three quarters along the side. The median of the three ignores a mark that touches the frame at
        // one of them; the cap leaves a filled box an interior to measure.
        let cap = Int(0.35 * side)
        func innerEdge(from start: Int, step: Int, at line: Int, horizontal: Bool) -> Int {
            func dark(_ k: Int) -> Bool { horizontal ? ink[line * w + k] : ink[k * w + line] }
            let limit = horizontal ? (x0...x1) : (y0...y1)
            var k = start
            while limit.contains(k), abs(k - start) < cap, !dark(k) { k += step }
            while limit.contains(k), abs(k - start) < cap, dark(k) { k += step }
            return k
        }
        func median(_ v: [Int]) -> Int { v.sorted()[v.count / 2] }
        let fractions = [0.25, 0.5, 0.75]
        let rows = fractions.map { y0 + Int(Double(y1 - y0) * $0) }, columns = fractions.map { x0 + Int(Double(x1 - x0) * $0) }
        let left = median(rows.map { innerEdge(from: x0, step: 1, at: $0, horizontal: true) })
        let right = median(rows.map { innerEdge(from: x1, step: -1, at: $0, horizontal: true) })
        let top = median(columns.map { innerEdge(from: y0, step: 1, at: $0, horizontal: false) })
        let bottom = median(columns.map { innerEdge(from: y1, step: -1, at: $0, horizontal: false) })
        // A ragged inner edge varies by a pixel or two along a side, and a faxed frame's edge by a received
        // pixel more (bumps of one scan row along a 98-dpi frame read as ink inside the box).
        let pad = max(1, Int(0.06 * side), Int(sourcePixel.rounded()) + 1)
        let ix0 = left + pad, ix1 = right - pad, iy0 = top + pad, iy1 = bottom - pad
        // A filled box can leave the two sides' inner edges crossing: it is all ink.
        guard ix1 >= ix0, iy1 >= iy0 else { return 1 }
        var dark = 0
        for y in iy0...iy1 { for x in ix0...ix1 where ink[y * w + x] { dark += 1 } }
        return Double(dark) / Double((ix1 - ix0 + 1) * (iy1 - iy0 + 1))
    }

    /// The window with every row that ink crosses from edge to edge made paper: a streak a fax receiver
    /// left across the page (a damaged or regenerated row), or a rule running past the box. A mark inside
    /// the box never reaches the page on both sides of it, nor does the box's own frame.
    static func withoutCrossingLines(_ window: GrayImage, threshold: UInt8 = 160) -> GrayImage {
        let w = window.width
        var out = window
        for y in 0..<window.height {
            let row = y * w
            var dark = 0
            for x in 0..<w where window.pixels[row + x] < threshold { dark += 1 }
            guard dark * 10 >= w * 9 else { continue }
            for x in 0..<w { out.pixels[row + x] = 255 }
        }
        return out
    }

    /// The share of dark pixels in the inner part of the box as the template places it (a fifth of the
    /// side in from each edge, which leaves the printed frame outside even with a point of misregistration):
    /// for when no frame is found (a faded or broken box).
    static func innerShare(in window: GrayImage, side: Double, margin: Int, threshold: UInt8 = 160) -> Double {
        let inset = 0.2 * side
        let x0 = Int((Double(margin) + inset).rounded()), x1 = Int((Double(margin) + side - inset).rounded()) - 1
        let y0 = x0, y1 = x1
        guard x1 >= x0, y1 >= y0, x1 < window.width, y1 < window.height else { return 0 }
        var dark = 0
        for y in y0...y1 { for x in x0...x1 where window.pixels[y * window.width + x] < threshold { dark += 1 } }
        return Double(dark) / Double((x1 - x0 + 1) * (y1 - y0 + 1))
    }
}
