import FaxImaging
import Foundation

/// A template zone resampled from a page into an upright crop, cleaned of printed rules for OCR.
struct ZoneImage {
    /// Binary crop: 0 ink, 255 paper.
    var image: GrayImage
    var inkPixels: Int

    /// Resamples `box` (points) through `transform` at `scale` pixels per point, bilinear.
    static func sample(_ page: GrayImage, transform: PageTransform, box: TemplateBox, scale: Double) -> GrayImage {
        let w = max(1, Int((box.width * scale).rounded())), h = max(1, Int((box.height * scale).rounded()))
        // The transform is affine: an origin and a step per output column and row.
        let o = transform.imagePoint(x: box.x + 0.5 / scale, y: box.y + 0.5 / scale)
        let px = transform.imagePoint(x: box.x + 1.5 / scale, y: box.y + 0.5 / scale)
        let py = transform.imagePoint(x: box.x + 0.5 / scale, y: box.y + 1.5 / scale)
        let dxi = px.x - o.x, dyi = px.y - o.y, dxj = py.x - o.x, dyj = py.y - o.y
        var out = [UInt8](repeating: 255, count: w * h)
        let pw = page.width, ph = page.height
        page.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for j in 0..<h {
                    var x = o.x + Double(j) * dxj, y = o.y + Double(j) * dyj
                    for i in 0..<w {
                        // Pixel centres sit at integer + 0.5.
                        let fx = x - 0.5, fy = y - 0.5
                        // Off the page to the left or top stays paper; otherwise truncation is the floor.
                        if fx >= 0, fy >= 0, case let x0 = Int(fx), case let y0 = Int(fy), x0 + 1 < pw, y0 + 1 < ph {
                            let ax = fx - Double(x0), ay = fy - Double(y0)
                            let p = y0 * pw + x0
                            let top = Double(src[p]) * (1 - ax) + Double(src[p + 1]) * ax
                            let bottom = Double(src[p + pw]) * (1 - ax) + Double(src[p + pw + 1]) * ax
                            dst[j * w + i] = UInt8(top * (1 - ay) + bottom * ay)
                        }
                        x += dxi; y += dyi
                    }
                }
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Binarises, removes printed rules (underlines, comb and table borders) and specks.
    ///
    /// Rules are found as long runs in a few neighbouring rows (or columns) taken together, so a
    /// rule that a fax or a slight skew turned into a staircase is found and erased in full.
    /// `keep` is the part of the crop (in pixels) that belongs to the field; ink entirely outside it
    /// is a neighbour's (a label above, the next row below) and is dropped.
    /// `combLines` are the columns where the template puts a comb's cell borders: where a glyph's
    /// stroke runs along one of them (text typed across the comb), the stroke is kept.
    /// `sourcePixel` is the size of one pixel of the page as received, in crop pixels (across, down): how
    /// far a faxed rule's edge wanders.
    static func cleaned(_ gray: GrayImage, scale: Double, keep: (top: Int, bottom: Int)? = nil, combLines: [Int] = [],
                        sourcePixel: (x: Double, y: Double) = (1, 1), threshold: UInt8 = 150) -> ZoneImage {
        let w = gray.width, h = gray.height
        var ink = gray.pixels.map { $0 < threshold }
        let strokes = combLines.isEmpty ? nil
            : strokesAlongLines(ink, width: w, height: h, lines: combLines, rows: keep.map { $0.top...$0.bottom } ?? 0...(h - 1), scale: scale)
        // Longer than any glyph: a J or a parenthesis with its descender reaches about 10 pt.
        let longH = Int(8 * scale), longV = Int(11 * scale)
        // A rule is a long run along its row (or column). A fax's skew turns a rule into a staircase, so
        // runs are measured on the ink thickened by one pixel across the rule. Along rows only one-pixel
        // breaks are bridged: the tops of capitals set close ("CT", "TT") are two pixels apart and would
        // otherwise join into a rule and be erased.
        let alongRows = runLengths(widened(ink, width: w, height: h, acrossRows: true, by: 1), width: w, height: h, alongRows: true, bridge: 1)
        // A long run is rule only on a rule's rows: where long runs, whole or broken into dashes, cover much
        // of the zone's width. The feet of serifed capitals set close ("ABA" in Courier) run as long as a
        // short rule, but a text line's joined serifs cover little of it; erased, a B loses its foot and
        // reads as an R.
        let onRuleRow = ruleRows(alongRows, width: w, height: h, longerThan: longH, reach: max(1, Int(0.5 * scale)),
                                 covering: max(longH, Int(0.4 * Double(w))))
        var isHorizontalRule = [Bool](repeating: false, count: w * h)
        for y in 0..<h where onRuleRow[y] {
            for i in (y * w)..<(y * w + w) where alongRows[i] >= longH { isHorizontalRule[i] = true }
        }
        let horizontalRun = runLengths(ink, width: w, height: h, alongRows: true, bridge: 0)
        let verticalRun = runLengths(ink, width: w, height: h, alongRows: false, bridge: 0)
        // A rule pixel is erased only where the ink through it, across the rule, is no thicker than the
        // rule itself (measured here: scans print hairlines, faxes thick stepped ones): where a descender,
        // a parenthesis or a digit crosses the rule, the stroke is kept whole.
        let cap = Int(1.8 * scale)
        func ruleThickness(_ across: [Int], on: [Bool]) -> Int {
            var histogram = [Int](repeating: 0, count: cap + 2)
            var total = 0
            ink.withUnsafeBufferPointer { ink in
                on.withUnsafeBufferPointer { on in
                    across.withUnsafeBufferPointer { across in
                        for i in 0..<(w * h) where ink[i] && on[i] { histogram[min(across[i], cap + 1)] += 1; total += 1 }
                    }
                }
            }
            guard total > 0 else { return cap }
            var seen = 0
            for (run, n) in histogram.enumerated() {
                seen += n
                if seen * 10 >= total * 8 { return min(cap, run + 1) }
            }
            return cap
        }
        let horizontalRule = ruleThickness(verticalRun, on: isHorizontalRule)
        // A vertical rule runs from edge to edge of the crop or from rule to rule (a comb's cells, a table's
        // borders); a glyph standing on an underline (the f of "feet", typed onto it) runs, rule and all,
        // as long as a vertical rule, but its top end is free.
        let horizontalRulePixels = zip(ink, isHorizontalRule).map { $0 && $1 }
        let alongColumns = anchoredRuns(runLengths(widened(ink, width: w, height: h, acrossRows: false, by: 1), width: w, height: h, alongRows: false, bridge: 2),
                                        width: w, height: h, longerThan: longV, anchors: horizontalRulePixels, reach: max(2, Int(0.5 * scale)),
                                        beyond: 2 * horizontalRule + max(2, Int(0.5 * scale)))
        let verticalRule = ruleThickness(horizontalRun, on: alongColumns.map { $0 >= longV })
        // A spanning rule's band: its long runs, widened across the rule by how far a faxed rule's edge wanders
        // (half a point, or one received pixel if more). A fax's rule is uneven (thicker where a skewed rule
        // steps a row, or where the threshold swelled it); its thick places survive the erasing below, and
        // read as dashes. What is left wholly inside the band, cut off from any glyph, is rule. Only a rule
        // that spans the zone (most of its width, or height) has a band: the tops of capitals set close
        // ("CT") run as long as a short rule.
        let spanningH = max(longH, w / 2), spanningV = max(longV, h / 2)
        let horizontalBand = widened(zip(ink, alongRows).map { $0 && $1 >= spanningH }, width: w, height: h,
                                     acrossRows: true, by: max(Int(0.5 * scale), Int(sourcePixel.y.rounded())))
        let verticalBand = widened(zip(ink, alongColumns).map { $0 && $1 >= spanningV }, width: w, height: h,
                                   acrossRows: false, by: max(Int(0.5 * scale), Int(sourcePixel.x.rounded())))
        let ruleBand = zip(horizontalBand, verticalBand).map { $0 || $1 }
        var erased = [Bool](repeating: false, count: w * h), erasedVertical = erased
        for i in 0..<(w * h) where ink[i] && !(strokes?[i] ?? false) {
            let onHorizontal = isHorizontalRule[i], onVertical = alongColumns[i] >= longV
            if (onHorizontal && onVertical) || (onHorizontal && verticalRun[i] <= horizontalRule) || (onVertical && horizontalRun[i] <= verticalRule) {
                ink[i] = false
                erased[i] = true
                erasedVertical[i] = onVertical
            }
        }
        filterComponents(&ink, width: w, height: h, scale: scale, keep: keep, erased: erased, erasedVertical: erasedVertical, ruleBand: ruleBand,
                         ruleThickness: horizontalRule + Int(sourcePixel.y.rounded()))
        // Keep the resampled gray of the ink that stays (its anti-aliased edges help the recogniser);
        // what was removed, and every lone light pixel, becomes paper.
        var pixels = [UInt8](repeating: 255, count: w * h)
        var count = 0
        ink.withUnsafeBufferPointer { ink in
            gray.pixels.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer { pixels in
                    for y in 0..<h {
                        for x in 0..<w {
                            let i = y * w + x
                            if ink[i] { pixels[i] = source[i]; count += 1; continue }
                            guard source[i] < 250, source[i] >= threshold else { continue }
                            // A light edge pixel stays only beside kept ink.
                            if (x > 0 && ink[i - 1]) || (x + 1 < w && ink[i + 1]) || (y > 0 && ink[i - w]) || (y + 1 < h && ink[i + w]) {
                                pixels[i] = source[i]
                            }
                        }
                    }
                }
            }
        }
        return ZoneImage(image: GrayImage(width: w, height: h, pixels: pixels), inkPixels: count)
    }

    /// The pixels of glyph strokes that run along a vertical line: in each text row, the ink run through
    /// the line where it reaches well past the line's core on either side, for a stroke's height, but is
    /// no wider than a stroke.
    ///
    /// Where a stroke lies on a line, the ink across it is barely thicker than the line, so removal by
    /// thickness alone takes the stroke too (an 8 typed across a comb border becomes a 3).
    static func strokesAlongLines(_ ink: [Bool], width w: Int, height h: Int, lines: [Int], rows: ClosedRange<Int>, scale: Double) -> [Bool] {
        var strokes = [Bool](repeating: false, count: w * h)
        let rows = max(0, rows.lowerBound)...min(h - 1, rows.upperBound)
        guard !rows.isEmpty else { return strokes }
        let search = Int(1.5 * scale), widest = Int(2.5 * scale), beyond = max(1, Int(0.4 * scale)), tallest = Int(1.5 * scale)
        // Each line's core: the columns inked over at least half as many rows as its darkest column,
        // counted first over all the cell's rows, then, once the text's rows are known, over the rows
        // above and below the text, so that a stroke along the line is not taken for part of it.
        func core(near expected: Int, over counted: [Int]) -> ClosedRange<Int>? {
            func coverage(_ x: Int) -> Int { counted.reduce(0) { $0 + (ink[$1 * w + x] ? 1 : 0) } }
            let range = max(0, expected - search)...min(w - 1, expected + search)
            guard !range.isEmpty, let peak = range.max(by: { coverage($0) < coverage($1) }) else { return nil }
            let full = coverage(peak)
            // A line runs through most of the rows; a glyph's stroke does not.
            guard full > 0, full * 2 >= counted.count else { return nil }
            var x0 = peak, x1 = peak
            while x0 > 0, coverage(x0 - 1) * 2 >= full { x0 -= 1 }
            while x1 < w - 1, coverage(x1 + 1) * 2 >= full { x1 += 1 }
            return x0...x1
        }
        let allRows = Array(rows)
        var bands = lines.compactMap { core(near: $0, over: allRows) }
        // The text's rows: ink away from the lines. A line's jags above or below the text are no stroke.
        var inBand = [Bool](repeating: false, count: w)
        for band in bands { for x in max(0, band.lowerBound - beyond)...min(w - 1, band.upperBound + beyond) { inBand[x] = true } }
        // (A row inked across most of the zone is a border, not text.)
        let textRows = rows.filter { y in
            let away = (0..<w).reduce(0) { $0 + (ink[y * w + $1] && !inBand[$1] ? 1 : 0) }
            return away >= beyond && away * 2 < w
        }
        guard let top = textRows.first, let bottom = textRows.last else { return strokes }
        let clearRows = allRows.filter { $0 < top || $0 > bottom }
        if clearRows.count >= tallest {
            bands = bands.map { band in core(near: (band.lowerBound + band.upperBound) / 2, over: clearRows) ?? band }
        }
        for band in bands {
            var along: [(y: Int, a: Int, b: Int)] = []
            for y in top...bottom {
                guard band.contains(where: { ink[y * w + $0] }) else { continue }
                var a = band.lowerBound, b = band.upperBound
                while a > 0, ink[y * w + a - 1] { a -= 1 }
                while b < w - 1, ink[y * w + b + 1] { b += 1 }
                guard a < band.lowerBound - beyond || b > band.upperBound + beyond, b - a + 1 <= widest else { continue }
                along.append((y, a, b))
            }
            // A stroke runs along the line for a while; a faxed line's jags and the noise beside it do not.
            var k = 0
            while k < along.count {
                var end = k
                while end + 1 < along.count, along[end + 1].y == along[end].y + 1 { end += 1 }
                if along[end].y - along[k].y + 1 >= tallest {
                    for (y, a, b) in along[k...end] { for x in a...b { strokes[y * w + x] = true } }
                }
                k = end + 1
            }
        }
        return strokes
    }

    /// A connected group of ink pixels.
    struct Component {
        var pixels: [Int]
        var minX: Int, maxX: Int, minY: Int, maxY: Int
    }

    /// Drops specks (small components with no sizeable neighbour: a period beside a letter stays) and
    /// components lying wholly outside the field's rows.
    static func filterComponents(_ ink: inout [Bool], width w: Int, height h: Int, scale: Double, keep: (top: Int, bottom: Int)?, erased: [Bool],
                                 erasedVertical: [Bool]? = nil,
                                 ruleBand: [Bool]? = nil, ruleThickness: Int = 0) {
        let components = connectedComponents(ink, width: w, height: h)
        let thin = Int(0.9 * scale)
        let small = Int(1.1 * scale * scale)
        // Under 0.35 pt² (a dot 0.6 pt across): smaller than the period of any printable font, so noise.
        let speck = Int(0.35 * scale * scale)
        let reach = Int(3 * scale)
        // A period, comma or the dots of a colon sit on the line of the glyph before them, up to half
        // a monospaced cell away: farther than a speck may be, but never above or below that line, and
        // never smaller than half a square point (a fax's lone noise pixels are smaller).
        let punctuationReach = Int(5 * scale), descent = Int(1.5 * scale), punctuation = Int(0.5 * scale * scale)
        let large = components.filter { $0.pixels.count >= small }
        var kept: [Component] = []
        for c in components {
            var drop = false
            if let keep, c.maxY < keep.top || c.minY > keep.bottom { drop = true }
            // Stubs of a neighbour's rules or text cut by the crop's top or bottom edge.
            if let keep, !drop, c.minY == 0 || c.maxY == h - 1 {
                let inside = min(c.maxY, keep.bottom) - max(c.minY, keep.top)
                if Double(inside) < 0.5 * Double(keep.bottom - keep.top) { drop = true }
            }
            // What is left of a rule beside the part erased: a sliver one rule thick. Standing on an
            // underline, a narrow piece as tall as a glyph's stem is the stem (the l of "sleep" typed onto
            // the rule): only a vertical rule leaves narrow slivers that tall.
            if !drop, touches(c, erased, width: w, height: h) {
                let flatSliver = c.maxY - c.minY < thin
                let narrowSliver = c.maxX - c.minX < thin
                    && (c.maxY - c.minY + 1 < Int(3 * scale) || touches(c, erasedVertical ?? erased, width: w, height: h))
                if flatSliver || narrowSliver { drop = true }
            }
            // A thick place of a spanning rule, cut off from every glyph.
            if !drop, let ruleBand, c.pixels.allSatisfy({ ruleBand[$0] }), touches(c, erased, width: w, height: h) { drop = true }
            if c.pixels.count < speck { drop = true }
            if !drop, c.pixels.count < small {
                let near = large.contains { l in
                    if l.minX - reach <= c.maxX && c.minX <= l.maxX + reach && l.minY - reach <= c.maxY && c.minY <= l.maxY + reach {
                        return true
                    }
                    let onLine = c.pixels.count >= punctuation && c.minY >= l.minY && c.maxY <= l.maxY + descent
                    return onLine && l.minX - punctuationReach <= c.maxX && c.minX <= l.maxX + punctuationReach
                }
                drop = !near
            }
            if !drop, c.pixels.count < punctuation, isLoneMidlineDot(c, among: components, large: large, scale: scale) { drop = true }
            if drop { for p in c.pixels { ink[p] = false } } else { kept.append(c) }
        }
        // A piece of a rule the erasing missed (a border a paper fax broke into dashes, too short to be
        // found as a rule; the step of a skewed rule): flat, at least twice as wide as tall, and in no
        // text line's rows. A hyphen or a dash sits within its line's rows. With no text at all, what is
        // no taller than wide and touches an erased rule (a step's overlap is short): a lone dash written
        // clear of the rules stays.
        // Glyphs: at least 3 pt tall (the x-height of 7 pt type); their rows are the text's lines.
        let glyphs = kept.filter { $0.maxY - $0.minY + 1 >= Int(3 * scale) }
        // Up to two rules thick (`ruleThickness` counts one received row of wander): where a skewed rule
        // steps down a row, or a paper fax's threshold swells it, both rows' worth is printed.
        let flat = max(Int(1.8 * scale), 2 * ruleThickness)
        for c in kept {
            let ch = c.maxY - c.minY + 1, cw = c.maxX - c.minX + 1
            guard ch <= flat, !glyphs.contains(where: { $0.minY <= c.maxY && c.minY <= $0.maxY }),
                  glyphs.isEmpty ? cw >= ch && touches(c, erased, width: w, height: h) : cw >= 2 * ch else { continue }
            for p in c.pixels { ink[p] = false }
        }
    }

    /// A dot too small for a period, no wider than tall (a hyphen is wider), halfway up the glyphs beside
    /// it and clear of them, with nothing above or below it: a fax's noise between two words. The upper
    /// dot of a colon or semicolon has its partner below, and an i's dot its stem.
    static func isLoneMidlineDot(_ c: Component, among components: [Component], large: [Component], scale: Double) -> Bool {
        guard c.maxX - c.minX <= c.maxY - c.minY else { return false }
        let gap = Int(1 * scale)
        let beside = large.filter { l in l.minY <= c.minY && c.maxY <= l.maxY && l.minX - 5 * gap <= c.maxX && c.minX <= l.maxX + 5 * gap }
        guard let glyph = beside.min(by: { min(abs($0.maxX - c.minX), abs(c.maxX - $0.minX)) < min(abs($1.maxX - c.minX), abs(c.maxX - $1.minX)) }) else {
            return false
        }
        let height = Double(glyph.maxY - glyph.minY + 1), middle = Double(c.minY + c.maxY) / 2 - Double(glyph.minY)
        guard middle > 0.25 * height, middle < 0.7 * height else { return false }
        // Clear of ink beside it (not a glyph's broken stroke), and nothing in its columns above or below.
        let touching = components.contains { o in
            o.pixels.first != c.pixels.first && o.minX - gap <= c.maxX && c.minX <= o.maxX + gap && o.minY - gap <= c.maxY + 2 * gap && c.minY - 2 * gap <= o.maxY + gap
        }
        return !touching
    }

    static func touches(_ c: Component, _ mask: [Bool], width w: Int, height h: Int) -> Bool {
        for p in c.pixels {
            let x = p % w, y = p / w
            for dy in -1...1 {
                for dx in -1...1 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < w, ny < h, mask[ny * w + nx] { return true }
                }
            }
        }
        return false
    }

    /// The mask spread `by` pixels up and down (or left and right).
    static func widened(_ mask: [Bool], width w: Int, height h: Int, acrossRows: Bool, by reach: Int) -> [Bool] {
        var out = mask
        guard reach > 0 else { return out }
        // Spread from the set pixels only: a mask is mostly clear (ink, or a rule's pixels), so this
        // costs one look at each pixel and a few writes per set one.
        mask.withUnsafeBufferPointer { mask in
            out.withUnsafeMutableBufferPointer { out in
                for y in 0..<h {
                    let row = y * w
                    for x in 0..<w where mask[row + x] {
                        if acrossRows {
                            for ny in max(0, y - reach)...min(h - 1, y + reach) { out[ny * w + x] = true }
                        } else {
                            for nx in max(0, x - reach)...min(w - 1, x + reach) { out[row + nx] = true }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Column runs of `minimum` or more that are a rule's: half as long again, or crossing an anchor pixel
    /// (running on `beyond` pixels past it both ways), or with both ends anchored (at the crop's top or
    /// bottom edge, or within `reach` of an anchor pixel). The others become 0.
    static func anchoredRuns(_ lengths: [Int], width w: Int, height h: Int, longerThan minimum: Int, anchors: [Bool], reach: Int, beyond: Int) -> [Int] {
        var out = lengths
        func anchored(_ x: Int, _ y: Int) -> Bool {
            if y <= reach || y >= h - 1 - reach { return true }
            for ny in max(0, y - reach)...min(h - 1, y + reach) {
                for nx in max(0, x - reach)...min(w - 1, x + reach) where anchors[ny * w + nx] { return true }
            }
            return false
        }
        for x in 0..<w {
            var y = 0
            while y < h {
                let run = lengths[y * w + x]
                guard run >= minimum else { y += 1; continue }
                // The run's pixels carry its length; its end is the last of them within the run's span.
                var end = y
                for k in y..<min(h, y + run) where lengths[k * w + x] == run { end = k }
                // Longer than any glyph on a rule, or crossing a rule: a rule, or a streak the fax left.
                let crossesRule = end - y > 2 * beyond + 1
                    && (y + beyond + 1...end - beyond - 1).contains { k in (max(0, x - 1)...min(w - 1, x + 1)).contains { anchors[k * w + $0] } }
                if run < minimum * 3 / 2, !crossesRule, !(anchored(x, y) && anchored(x, end)) {
                    for k in y...end where lengths[k * w + x] == run { out[k * w + x] = 0 }
                }
                y = end + 1
            }
        }
        return out
    }

    /// For each row, whether runs of at least `longerThan` along rows, within `reach` rows of it, together
    /// cover at least `covering` columns.
    static func ruleRows(_ alongRows: [Int], width w: Int, height h: Int, longerThan minimum: Int, reach: Int, covering: Int) -> [Bool] {
        guard w > 0, h > 0 else { return [] }
        // Each row's columns with a long run: few (a rule's row, the joined serifs of a text line), so the
        // window of rows is slid over them alone, a column counted while any row in the window has it.
        var longColumns = [[Int]](repeating: [], count: h)
        alongRows.withUnsafeBufferPointer { runs in
            for y in 0..<h {
                let row = y * w
                for x in 0..<w where runs[row + x] >= minimum { longColumns[y].append(x) }
            }
        }
        var rowsHolding = [Int](repeating: 0, count: w)
        var covered = 0
        func enter(_ y: Int) {
            for x in longColumns[y] {
                if rowsHolding[x] == 0 { covered += 1 }
                rowsHolding[x] += 1
            }
        }
        func leave(_ y: Int) {
            for x in longColumns[y] {
                rowsHolding[x] -= 1
                if rowsHolding[x] == 0 { covered -= 1 }
            }
        }
        var rows = [Bool](repeating: false, count: h)
        for y in 0...min(h - 1, reach) { enter(y) }
        for y in 0..<h {
            // The window is rows y - reach ... y + reach, clipped to the crop.
            rows[y] = covered >= covering
            if y + 1 + reach < h { enter(y + 1 + reach) }
            if y - reach >= 0 { leave(y - reach) }
        }
        return rows
    }

    /// For each ink pixel, the length of the run through it along rows (or columns), bridging breaks of up to `bridge` pixels.
    static func runLengths(_ ink: [Bool], width w: Int, height h: Int, alongRows: Bool, bridge: Int) -> [Int] {
        var lengths = [Int](repeating: 0, count: w * h)
        let lines = alongRows ? h : w, length = alongRows ? w : h
        // Pixel k of line `line` is at line * lineStep + k * step.
        let lineStep = alongRows ? w : 1, step = alongRows ? 1 : w
        ink.withUnsafeBufferPointer { ink in
            lengths.withUnsafeMutableBufferPointer { lengths in
                for line in 0..<lines {
                    let base = line * lineStep
                    var k = 0
                    while k < length {
                        guard ink[base + k * step] else { k += 1; continue }
                        var end = k + 1, gap = 0, lastInk = k
                        while end < length {
                            if ink[base + end * step] { lastInk = end; gap = 0 } else { gap += 1; if gap > bridge { break } }
                            end += 1
                        }
                        let run = lastInk - k + 1
                        for j in k...lastInk where ink[base + j * step] { lengths[base + j * step] = run }
                        k = lastInk + 1
                    }
                }
            }
        }
        return lengths
    }

    static func connectedComponents(_ ink: [Bool], width w: Int, height h: Int) -> [Component] {
        var seen = [Bool](repeating: false, count: w * h)
        var stack: [Int] = []
        var result: [Component] = []
        for start in 0..<(w * h) where ink[start] && !seen[start] {
            stack.append(start); seen[start] = true
            var c = Component(pixels: [], minX: w, maxX: 0, minY: h, maxY: 0)
            while let p = stack.popLast() {
                c.pixels.append(p)
                let x = p % w, y = p / w
                c.minX = min(c.minX, x); c.maxX = max(c.maxX, x); c.minY = min(c.minY, y); c.maxY = max(c.maxY, y)
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                        let q = ny * w + nx
                        if ink[q] && !seen[q] { seen[q] = true; stack.append(q) }
                    }
                }
            }
            result.append(c)
        }
        return result
    }

    /// The crop trimmed to its ink with a white margin, or nil when there is no value: no ink, or ink under
    /// 3 pt both ways. That is a speck or a rule's stray corner: a value has a digit or a capital, at least
    /// 4 pt high even at 7 pt type, and tesseract would make an "a" of the speck.
    func valueCrop(margin: Int, scale: Double) -> GrayImage? {
        guard let crop = trimmed(margin: margin), max(crop.width, crop.height) - 2 * margin >= Int(3 * scale) else { return nil }
        return crop
    }

    /// The crop trimmed to its ink with a white margin: single-line OCR does best on a tight line.
    func trimmed(margin: Int) -> GrayImage? {
        let w = image.width, h = image.height
        var minX = w, minY = h, maxX = -1, maxY = -1
        image.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<h {
                for x in 0..<w where pixels[y * w + x] < 150 {
                    minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                }
            }
        }
        guard maxX >= 0 else { return nil }
        let ow = maxX - minX + 1 + 2 * margin, oh = maxY - minY + 1 + 2 * margin
        var out = GrayImage(width: ow, height: oh)
        image.pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                for y in minY...maxY {
                    for x in minX...maxX { target[(y - minY + margin) * ow + (x - minX + margin)] = source[y * w + x] }
                }
            }
        }
        return out
    }
}

extension GrayImage {
    /// The image inside a white border `margin` pixels wide.
    func padded(by margin: Int) -> GrayImage {
        var out = GrayImage(width: width + 2 * margin, height: height + 2 * margin)
        let ow = out.width
        pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    for x in 0..<width { target[(y + margin) * ow + x + margin] = source[y * width + x] }
                }
            }
        }
        return out
    }

    /// The image resampled by `factor`, bilinear.
    func scaled(by factor: Double) -> GrayImage {
        let w = max(1, Int(Double(width) * factor)), h = max(1, Int(Double(height) * factor))
        var out = GrayImage(width: w, height: h)
        // Each output column's two source columns and weight, worked out once rather than on every row.
        let columns = (0..<w).map { x -> (x0: Int, x1: Int, ax: Double) in
            let fx = min(max((Double(x) + 0.5) / factor - 0.5, 0), Double(width - 1))
            let x0 = Int(fx)
            return (x0, min(x0 + 1, width - 1), fx - Double(x0))
        }
        pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                for y in 0..<h {
                    let fy = min(max((Double(y) + 0.5) / factor - 0.5, 0), Double(height - 1))
                    let y0 = Int(fy), y1 = min(y0 + 1, height - 1), ay = fy - Double(y0)
                    let r0 = y0 * width, r1 = y1 * width
                    for x in 0..<w {
                        let (x0, x1, ax) = columns[x]
                        let top = Double(source[r0 + x0]) * (1 - ax) + Double(source[r0 + x1]) * ax
                        let bottom = Double(source[r1 + x0]) * (1 - ax) + Double(source[r1 + x1]) * ax
                        target[y * w + x] = UInt8((top * (1 - ay) + bottom * ay).rounded())
                    }
                }
            }
        }
        return out
    }

    /// The image with every blank column run wider than `maxGap` narrowed to `maxGap`.
    ///
    /// Digits typed one per comb cell sit far apart; a single-line recogniser invents characters in
    /// wide gaps, and reads the same digits reliably once they are set at normal spacing.
    func closingGaps(maxGap: Int, inkBelow: UInt8 = 150) -> GrayImage {
        var blank = [Bool](repeating: true, count: width)
        for x in 0..<width {
            for y in 0..<height where pixels[y * width + x] < inkBelow { blank[x] = false; break }
        }
        var keep: [Int] = []
        var run = 0
        for x in 0..<width {
            if blank[x] { run += 1; if run <= maxGap { keep.append(x) } } else { run = 0; keep.append(x) }
        }
        guard keep.count < width else { return self }
        var out = GrayImage(width: keep.count, height: height)
        for y in 0..<height {
            for (i, x) in keep.enumerated() { out.pixels[y * keep.count + i] = pixels[y * width + x] }
        }
        return out
    }
}
