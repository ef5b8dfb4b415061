import FaxImaging
import FormExtraction
import Foundation
import IntakeQueue
import Synchronization

/// A field's zone on a rendered page, in the pixels of the page shown at full width and paper aspect.
public struct FieldZone: Sendable, Hashable, Codable {
    public var page: Int
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
}

/// Why a page could not be drawn.
public enum RenderError: Error, Hashable, CustomStringConvertible {
    case noSuchPage(Int)
    case unreadable(String)
    case noZone(String)

    public var description: String {
        switch self {
        case .noSuchPage(let n): "the document has no page \(n)"
        case .unreadable(let reason): "the archived original cannot be drawn: \(reason)"
        case .noZone(let name): "no zone for \(name) on this form"
        }
    }
}

/// Draws an item's pages, thumbnails and field crops from its archived original, on demand.
///
/// Nothing is written to disk. The last few documents' decoded pages and PNGs stay in memory, so the
/// item screen's thumbnails, page and crops cost one decode of the fax, not one per picture.
public final class PageRenderer: Sendable {
    private let form: FormDefinition?
    private let decoder: DocumentDecoder
    private let cache = Mutex(RenderCache())
    private let decoding = Mutex(())

    /// Documents whose decoded pages are kept; a fine 10-page fax is about 40 MB of gray pixels.
    static let documentsKept = 2
    static let picturesKept = 256

    public init(form: FormDefinition?, limits: DecodeLimits) {
        self.form = form
        self.decoder = DocumentDecoder(limits: limits)
    }

    /// Page `number` (1-based in the file) as PNG at `scale` of its full width (nil: full size).
    public func pagePNG(_ item: QueueItem, page number: Int, scale: Double?) throws(RenderError) -> [UInt8] {
        let key = "\(item.sha256)/\(number)/\(scale ?? 1)"
        if let png = cache.withLock({ $0.picture(key) }) { return png }
        // Whole: the thumbnails that follow a page are then served from memory.
        let pages = try decoded(item)
        guard number >= 1, number <= pages.count else { throw .noSuchPage(number) }
        let page = pages[number - 1]
        let png = page.rendered(width: scale.map { max(16, Int(Double(page.image.width) * $0)) } ?? page.image.width).pngData()
        guard !png.isEmpty else { throw .unreadable("the PNG encoder failed") }
        cache.withLock { $0.keep(picture: png, for: key) }
        return png
    }

    /// Page `number`'s size at full width and paper aspect: what zones are measured in.
    public func displaySize(_ item: QueueItem, page number: Int) throws(RenderError) -> (width: Int, height: Int) {
        let pages = try decoded(item, through: number)
        guard number >= 1, number <= pages.count else { throw .noSuchPage(number) }
        let page = pages[number - 1]
        return (page.image.width, page.image.height * page.rowRepeat)
    }

    /// Every field's zone on the form page, in form order; empty when the item has no form page or no form is loaded.
    public func zones(_ item: QueueItem) throws(RenderError) -> [(name: String, zone: FieldZone)] {
        guard let form, let formPage = item.formPage else { return [] }
        let pages = try decoded(item, through: formPage)
        guard formPage >= 1, formPage <= pages.count else { throw .noSuchPage(formPage) }
        let page = pages[formPage - 1]
        let transform = registration(item, page: page, form: form)
        let boxes = form.template.fields.map { ($0.name, $0.valueBox) } + form.template.checkboxGroups.map { group in
            (group.name, Self.union(group.options.map(\.box)))
        }
        return boxes.map { name, box in
            (name, Self.zone(box, transform: transform, page: page, number: formPage, form: form))
        }
    }

    /// A field's zone cut from the form page, with a margin, at paper aspect, as PNG.
    public func cropPNG(_ item: QueueItem, field name: String) throws(RenderError) -> [UInt8] {
        let key = "\(item.sha256)/\(item.formPage ?? 0)/crop/\(name)"
        if let png = cache.withLock({ $0.picture(key) }) { return png }
        guard let zone = try zones(item).first(where: { $0.name == name })?.zone else { throw .noZone(name) }
        let pages = try decoded(item, through: zone.page)
        let page = pages[zone.page - 1]
        let repeatRows = page.rowRepeat
        // Zones are in display pixels; the original has 1/repeatRows of the rows.
        let margin = Int(0.12 * Double(zone.height)) + 8
        var crop = page.image.cropped(
            x: zone.x - margin, y: (zone.y - margin) / repeatRows,
            width: zone.width + 2 * margin, height: (zone.height + 2 * margin) / repeatRows
        ).repeatingRows(repeatRows)
        if let form, registration(item, page: page, form: form)?.upsideDown == true { crop = crop.rotated180() }
        let png = crop.pngData()
        guard !png.isEmpty else { throw .unreadable("the PNG encoder failed") }
        cache.withLock { $0.keep(picture: png, for: key) }
        return png
    }

    // MARK: Decoding and registration

    /// The document's pages, at least through page `through` (nil: all). The item screen needs only the
    /// form page to place zones, so a long fax is decoded whole only when its thumbnails are asked for.
    private func decoded(_ item: QueueItem, through: Int? = nil) throws(RenderError) -> [Page] {
        if let pages = held(item, through: through) { return pages }
        // One decode at a time: a burst of thumbnail requests waits for the first decode instead of repeating it.
        return try decoding.withLock { _ throws(RenderError) -> [Page] in
            if let pages = held(item, through: through) { return pages }
            return try decode(item, through: through)
        }
    }

    private func held(_ item: QueueItem, through: Int?) -> [Page]? {
        guard let held = cache.withLock({ $0.document(item.sha256) }) else { return nil }
        return held.complete || through.map({ held.pages.count >= $0 }) == true ? held.pages : nil
    }

    private func decode(_ item: QueueItem, through: Int?) throws(RenderError) -> [Page] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: item.archivePath)) } catch {
            throw .unreadable("the archive copy cannot be read")
        }
        var pages: [Page] = []
        var complete = true
        do {
            let stream = try decoder.open(data: data, name: item.sourceFileName)
            while let page = try stream.next() {
                pages.append(page)
                if let through, pages.count >= through { complete = false; break }
            }
        } catch {
            // Pages before the damage are still worth showing; a document with none is not.
            if pages.isEmpty { throw .unreadable(error.reason) }
        }
        cache.withLock { $0.keep(document: pages, complete: complete, for: item.sha256) }
        return pages
    }

    private func registration(_ item: QueueItem, page: Page, form: FormDefinition) -> PageTransform? {
        let key = "\(item.sha256)/\(item.formPage ?? 0)"
        if let found = cache.withLock({ $0.transforms[key] }) { return found }
        let transform = form.classify(page)?.transform
        cache.withLock { $0.transforms[key] = .some(transform) }
        return transform
    }

    /// A template box on the page: through the registration when the page registered, else by plain scaling.
    static func zone(_ box: TemplateBox, transform: PageTransform?, page: Page, number: Int, form: FormDefinition) -> FieldZone {
        let repeatRows = Double(page.rowRepeat)
        let corners: [(x: Double, y: Double)]
        if let transform {
            corners = [transform.imagePoint(x: box.x, y: box.y), transform.imagePoint(x: box.x + box.width, y: box.y + box.height),
                       transform.imagePoint(x: box.x + box.width, y: box.y), transform.imagePoint(x: box.x, y: box.y + box.height)]
        } else {
            let sx = Double(page.image.width) / form.template.form.pageWidth
            let sy = Double(page.image.height) / form.template.form.pageHeight
            corners = [(box.x * sx, box.y * sy), ((box.x + box.width) * sx, (box.y + box.height) * sy)]
        }
        let xs = corners.map(\.x), ys = corners.map { $0.y * repeatRows }
        let x0 = Int(xs.min()!.rounded(.down)), y0 = Int(ys.min()!.rounded(.down))
        return FieldZone(page: number, x: x0, y: y0, width: Int(xs.max()!.rounded(.up)) - x0, height: Int(ys.max()!.rounded(.up)) - y0)
    }

    static func union(_ boxes: [TemplateBox]) -> TemplateBox {
        guard let first = boxes.first else { return TemplateBox(x: 0, y: 0, width: 0, height: 0) }
        var x0 = first.x, y0 = first.y, x1 = first.x + first.width, y1 = first.y + first.height
        for b in boxes.dropFirst() {
            x0 = min(x0, b.x); y0 = min(y0, b.y); x1 = max(x1, b.x + b.width); y1 = max(y1, b.y + b.height)
        }
        return TemplateBox(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}

/// The renderer's memory: a few decoded documents, recent PNGs, and each form page's registration.
struct RenderCache {
    private var documents: [(sha: String, pages: [Page], complete: Bool)] = []
    private var pictures: [String: [UInt8]] = [:]
    private var pictureOrder: [String] = []
    /// nil inside: the page did not register (so it is not tried again).
    var transforms: [String: PageTransform?] = [:]

    mutating func document(_ sha: String) -> (pages: [Page], complete: Bool)? {
        guard let index = documents.firstIndex(where: { $0.sha == sha }) else { return nil }
        let entry = documents.remove(at: index)
        documents.append(entry)
        return (entry.pages, entry.complete)
    }

    mutating func keep(document pages: [Page], complete: Bool, for sha: String) {
        // A shorter decode never replaces a longer one another request made meanwhile.
        if let held = documents.first(where: { $0.sha == sha }), held.complete || held.pages.count > pages.count, !complete { return }
        documents.removeAll { $0.sha == sha }
        documents.append((sha, pages, complete))
        if documents.count > PageRenderer.documentsKept { documents.removeFirst() }
    }

    func picture(_ key: String) -> [UInt8]? { pictures[key] }

    mutating func keep(picture: [UInt8], for key: String) {
        if pictures[key] == nil { pictureOrder.append(key) }
        pictures[key] = picture
        if pictureOrder.count > PageRenderer.picturesKept { pictures[pictureOrder.removeFirst()] = nil }
        if transforms.count > 4 * PageRenderer.picturesKept { transforms.removeAll() }
    }
}
