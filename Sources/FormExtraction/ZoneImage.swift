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
                        let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
                        if x0 >= 0, y0 >= 0, x0 + 1 < pw, y0 + 1 < ph {
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

    /// Binarises, removes long horizontal and vertical runs (underlines, comb and table rules) and specks.
    static func cleaned(_ gray: GrayImage, scale: Double, threshold: UInt8 = 150) -> ZoneImage {
        let w = gray.width, h = gray.height
        var ink = gray.pixels.map { $0 < threshold }
        let longH = Int(8 * scale), longV = Int(9.5 * scale)
        // Mark runs first, erase after, so a rule crossing a stroke is found in full.
        var erase = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            var x = 0
            while x < w {
                guard ink[y * w + x] else { x += 1; continue }
                var end = x
                while end < w, ink[y * w + end] { end += 1 }
                if end - x >= longH { for k in x..<end { erase[y * w + k] = true } }
                x = end
            }
        }
        for x in 0..<w {
            var y = 0
            while y < h {
                guard ink[y * w + x] else { y += 1; continue }
                var end = y
                while end < h, ink[end * w + x] { end += 1 }
                if end - y >= longV { for k in y..<end { erase[k * w + x] = true } }
                y = end
            }
        }
        for i in 0..<(w * h) where erase[i] { ink[i] = false }
        removeSpecks(&ink, width: w, height: h, minimumArea: max(4, Int(0.45 * scale * scale)))
        var pixels = [UInt8](repeating: 255, count: w * h)
        var count = 0
        for i in 0..<(w * h) where ink[i] { pixels[i] = 0; count += 1 }
        return ZoneImage(image: GrayImage(width: w, height: h, pixels: pixels), inkPixels: count)
    }

    /// Clears 8-connected components smaller than `minimumArea` pixels: fax speckle and rule fragments.
    static func removeSpecks(_ ink: inout [Bool], width w: Int, height h: Int, minimumArea: Int) {
        var seen = [Bool](repeating: false, count: w * h)
        var stack: [Int] = []
        var component: [Int] = []
        for start in 0..<(w * h) where ink[start] && !seen[start] {
            stack.append(start); seen[start] = true
            component.removeAll(keepingCapacity: true)
            while let p = stack.popLast() {
                component.append(p)
                let x = p % w, y = p / w
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                        let q = ny * w + nx
                        if ink[q] && !seen[q] { seen[q] = true; stack.append(q) }
                    }
                }
            }
            if component.count < minimumArea { for p in component { ink[p] = false } }
        }
    }

    /// The crop trimmed to its ink with a white margin: single-line OCR does best on a tight line.
    func trimmed(margin: Int) -> GrayImage? {
        let w = image.width, h = image.height
        var minX = w, minY = h, maxX = -1, maxY = -1
        for y in 0..<h {
            for x in 0..<w where image.pixels[y * w + x] == 0 {
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        guard maxX >= 0 else { return nil }
        let ow = maxX - minX + 1 + 2 * margin, oh = maxY - minY + 1 + 2 * margin
        var out = GrayImage(width: ow, height: oh)
        for y in minY...maxY {
            for x in minX...maxX {
                out.pixels[(y - minY + margin) * ow + (x - minX + margin)] = image.pixels[y * w + x]
            }
        }
        return out
    }
}
