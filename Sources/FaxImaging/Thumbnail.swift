extension Page {
    /// A small picture of the page at most `maxWidth` pixels wide, each pixel the average of the area it
    /// covers, keeping the page's aspect ratio (its physical one, should the resolution differ by axis).
    public func thumbnail(maxWidth: Int = 160) -> GrayImage {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return image }
        let targetWidth = min(max(maxWidth, 1), w)
        let aspect = xDPI > 0 && yDPI > 0 ? xDPI / yDPI : 1
        // Never taller than the page: a thumbnail only averages, it does not invent rows.
        let targetHeight = min(h, max(1, Int((Double(h) * aspect * Double(targetWidth) / Double(w)).rounded())))
        return image.areaAveraged(width: targetWidth, height: targetHeight)
    }
}

extension GrayImage {
    /// This image reduced to `width` × `height` (no larger than it), each output pixel the rounded mean of
    /// the source pixels whose box it covers.
    func areaAveraged(width tw: Int, height th: Int) -> GrayImage {
        precondition(tw >= 1 && tw <= width && th >= 1 && th <= height, "area averaging only reduces")
        if tw == width && th == height { return self }
        // Source column x falls in output column columnOf[x]; boxes are [o·w/tw, (o+1)·w/tw).
        var columnOf = [Int](repeating: 0, count: width)
        var columnCount = [Int](repeating: 0, count: tw)
        for o in 0..<tw {
            let x0 = o * width / tw, x1 = (o + 1) * width / tw
            for x in x0..<x1 { columnOf[x] = o }
            columnCount[o] = x1 - x0
        }
        var out = [UInt8](repeating: 255, count: tw * th)
        var sums = [Int](repeating: 0, count: tw)
        // Every source pixel is visited once per thumbnail, for every non-form page of a fax: unchecked
        // buffers keep that pass at memory speed.
        pixels.withUnsafeBufferPointer { src in
            columnOf.withUnsafeBufferPointer { column in
                sums.withUnsafeMutableBufferPointer { sum in
                    out.withUnsafeMutableBufferPointer { dst in
                        for oy in 0..<th {
                            let y0 = oy * height / th, y1 = (oy + 1) * height / th
                            for i in 0..<tw { sum[i] = 0 }
                            for y in y0..<y1 {
                                let row = y * width
                                for x in 0..<width { sum[column[x]] &+= Int(src[row + x]) }
                            }
                            let rows = y1 - y0
                            for o in 0..<tw {
                                let n = columnCount[o] * rows
                                dst[oy * tw + o] = UInt8((sum[o] + n / 2) / n)
                            }
                        }
                    }
                }
            }
        }
        return GrayImage(width: tw, height: th, pixels: out)
    }
}

extension Page {
    /// How many times each row is repeated to show the page at its paper aspect: 2 for a normal-resolution
    /// fax (204 × 98 dpi), 1 when both axes share a resolution.
    public var rowRepeat: Int {
        guard xDPI > 0, yDPI > 0 else { return 1 }
        return max(1, Int((xDPI / yDPI).rounded()))
    }

    /// The page for a screen, `width` pixels wide (never wider than the page), at its paper aspect.
    public func rendered(width: Int) -> GrayImage {
        let upright = image.repeatingRows(rowRepeat)
        let targetWidth = min(max(width, 1), upright.width)
        guard targetWidth < upright.width else { return upright }
        let targetHeight = max(1, min(upright.height, Int((Double(upright.height) * Double(targetWidth) / Double(upright.width)).rounded())))
        return upright.areaAveraged(width: targetWidth, height: targetHeight)
    }
}

extension GrayImage {
    /// The part of the image inside the rectangle, clipped to the image; white where the rectangle leaves it.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> GrayImage {
        guard w > 0, h > 0 else { return GrayImage(width: 1, height: 1) }
        var out = GrayImage(width: w, height: h)
        for row in 0..<h {
            let sy = y + row
            guard sy >= 0, sy < height else { continue }
            for column in 0..<w {
                let sx = x + column
                guard sx >= 0, sx < width else { continue }
                out.pixels[row * w + column] = pixels[sy * width + sx]
            }
        }
        return out
    }
}
