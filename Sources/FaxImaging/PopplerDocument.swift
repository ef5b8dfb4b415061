import CPoppler
import Foundation

/// Routes poppler's process-wide error callback to the log of the document being worked on by this thread.
///
/// poppler-glib has no per-document error API; the core library's `setErrorCallback` is global, so
/// the callback looks up a thread-local log: a PDF handle stays on one thread while it is used.
enum PopplerDiagnostics {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private typealias Callback = @convention(c) (Int32, Int64, UnsafePointer<CChar>?) -> Void
    private typealias Setter = @convention(c) (Callback?) -> Void

    private static let installed: Bool = {
        // The C++ symbol `setErrorCallback(void (*)(ErrorCategory, long long, const char*))` of libpoppler.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "_Z16setErrorCallbackPFv13ErrorCategoryxPKcE") else {
            return false
        }
        let setter = unsafeBitCast(symbol, to: Setter.self)
        // poppler-glib hands the core library its own callback (which logs at debug level: nowhere) each time
        // it creates a document while no other is alive, replacing this one. A one-page document kept for the
        // life of the process means there always is one, so the callback set below stays in place. It is
        // deliberately never unreferenced: no handle class owns it.
        let keepAliveCreated = keepAliveDocumentPDF.withUnsafeBytes { pdf -> Bool in
            let bytes = g_bytes_new(pdf.baseAddress, gsize(pdf.count))
            defer { g_bytes_unref(bytes) }
            return poppler_document_new_from_bytes(bytes, nil, nil) != nil
        }
        assert(keepAliveCreated, "poppler refused the keep-alive PDF")
        setter { category, position, message in
            guard let raw = pthread_getspecific(PopplerDiagnostics.key), let message else { return }
            let log = Unmanaged<DiagnosticLog>.fromOpaque(raw).takeUnretainedValue()
            let text = String(cString: message) + (position >= 0 ? " (at byte \(position))" : "")
            // ErrorCategory: 0 syntax warning, 1 syntax error, 2 config, 3 command line, 4 I/O, 5 not allowed,
            // 6 unimplemented, 7 internal.
            if category == 1 || category == 5 { log.error(text) } else { log.warning(text) }
        }
        return true
    }()

    /// A minimal valid one-page PDF, its cross-reference offsets computed so poppler opens it without complaint.
    private static var keepAliveDocumentPDF: [UInt8] {
        let objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1 1] >>"]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(i + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(pdf.utf8)
    }

    /// Runs `body` with poppler's messages going to `log` instead of stderr.
    static func capturing<T>(into log: DiagnosticLog, _ body: () throws(DecodeError) -> T) throws(DecodeError) -> T {
        _ = installed
        let box = Unmanaged.passRetained(log)
        pthread_setspecific(key, box.toOpaque())
        defer {
            pthread_setspecific(key, nil)
            box.release()
        }
        return try body()
    }
}

/// Owns one `PopplerDocument*`; released in `deinit`.
final class PopplerDocumentHandle {
    private let document: OpaquePointer
    /// The document's name, for messages only.
    let name: String

    init(data: Data, name: String) throws(DecodeError) {
        var error: UnsafeMutablePointer<GError>?
        // new_from_bytes sidesteps file URIs; g_bytes_new copies the data, and the document keeps a
        // reference to that GBytes for as long as it lives.
        let bytes = data.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(bytes) }
        guard let doc = poppler_document_new_from_bytes(bytes, nil, &error) else {
            let encrypted = error?.pointee.domain == poppler_error_quark() && error?.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue)
            let message = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "poppler could not open the document"
            if let error { g_error_free(error) }
            if encrypted { throw .passwordRequired(file: name) }
            throw .corrupt(file: name, page: nil, reason: oneLine(message))
        }
        self.document = doc
        self.name = name
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(document)) }

    var pageCount: Int { Int(poppler_document_get_n_pages(document)) }

    func page(_ index: Int) -> PopplerPageHandle? {
        guard let page = poppler_document_get_page(document, Int32(index)) else { return nil }
        return PopplerPageHandle(page)
    }
}

/// Owns one `PopplerPage*`.
final class PopplerPageHandle {
    private let page: OpaquePointer

    init(_ page: OpaquePointer) { self.page = page }
    deinit { g_object_unref(UnsafeMutableRawPointer(page)) }

    /// Page size in points.
    var size: (width: Double, height: Double) {
        var w = 0.0, h = 0.0
        poppler_page_get_size(page, &w, &h)
        return (w, h)
    }

    /// Renders the page onto white at `dpi` and returns it as grayscale; nil if cairo fails.
    func render(dpi: Double, width: Int, height: Int) -> GrayImage? {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else { return nil }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else { return nil }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, dpi / 72, dpi / 72)
        poppler_page_render(page, cr)
        cairo_destroy(cr)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var pixels = [UInt8](repeating: 255, count: width * height)
        pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let row = data + y * stride
                for x in 0..<width {
                    // RGB24 is a native-endian 32-bit word 0x00RRGGBB: bytes B, G, R, X on little-endian.
                    let b = UInt32(row[x * 4]), g = UInt32(row[x * 4 + 1]), r = UInt32(row[x * 4 + 2])
                    dst[y * width + x] = UInt8((r * 299 + g * 587 + b * 114) / 1000)
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// The AcroForm fields placed on this page, by name.
    func formFields() -> [(name: String, value: FormFieldValue)] {
        guard let mapping = poppler_page_get_form_field_mapping(page) else { return [] }
        defer { poppler_page_free_form_field_mapping(mapping) }
        var result: [(String, FormFieldValue)] = []
        var node: UnsafeMutablePointer<GList>? = mapping
        while let current = node {
            defer { node = current.pointee.next }
            guard let data = current.pointee.data else { continue }
            let entry = data.assumingMemoryBound(to: PopplerFormFieldMapping.self)
            guard let field = entry.pointee.field else { continue }
            guard let namePointer = poppler_form_field_get_name(field) else { continue }
            let name = String(cString: namePointer)
            g_free(namePointer)
            switch poppler_form_field_get_field_type(field) {
            case POPPLER_FORM_FIELD_TEXT:
                var text = ""
                if let value = poppler_form_field_text_get_text(field) {
                    text = String(cString: value)
                    g_free(value)
                }
                result.append((name, .text(text)))
            case POPPLER_FORM_FIELD_BUTTON:
                if poppler_form_field_button_get_button_type(field) != POPPLER_FORM_BUTTON_PUSH {
                    result.append((name, .checkbox(poppler_form_field_button_get_state(field) != 0)))
                }
            default:
                continue
            }
        }
        return result
    }
}

/// Decodes a PDF one page at a time: each page rendered in grayscale; AcroForm values gathered at open.
final class PDFPageSource {
    let limits: DecodeLimits
    let name: String
    let pageCount: Int
    /// AcroForm values by field name, from every page's widgets (a checked box wins over an unchecked one of the same name).
    let formValues: [String: FormFieldValue]
    private let document: PopplerDocumentHandle
    private let log = DiagnosticLog()
    private var index = 0

    init(data: Data, name: String, limits: DecodeLimits) throws(DecodeError) {
        self.limits = limits
        self.name = name
        let log = self.log
        (document, pageCount, formValues) = try PopplerDiagnostics.capturing(into: log) { () throws(DecodeError) in
            let document = try PopplerDocumentHandle(data: data, name: name)
            let count = document.pageCount
            guard count > 0 else { throw .noPages(file: name) }
            guard count <= limits.maxPagesPerFile else {
                throw .pageLimit(file: name, pages: count, limit: limits.maxPagesPerFile)
            }
            // Loading a page without rendering it is cheap, and the values are known before the first page
            // is drawn. A page that fails to load here fails again, with its reason, when `next()` reaches it.
            var values: [String: FormFieldValue] = [:]
            for index in 0..<count {
                guard let page = document.page(index) else { continue }
                for (name, value) in page.formFields() where values[name] == nil || value == .checkbox(true) {
                    values[name] = value
                }
            }
            return (document, count, values)
        }
    }

    var warnings: [String] { log.warnings + log.errors }

    /// The next page rendered at `limits.pdfRenderDPI`, or nil after the last one.
    func next() throws(DecodeError) -> Page? {
        guard index < pageCount else { return nil }
        // poppler reports through a thread-local log: set it for this call, on whichever thread makes it.
        let page = try PopplerDiagnostics.capturing(into: log) { () throws(DecodeError) in try render(index) }
        index += 1
        return page
    }

    private func render(_ index: Int) throws(DecodeError) -> Page {
        guard let page = document.page(index) else {
            throw .corrupt(file: name, page: index, reason: log.firstError ?? "poppler could not load the page")
        }
        let dpi = limits.pdfRenderDPI
        let size = page.size
        guard size.width.isFinite, size.height.isFinite, size.width > 0, size.height > 0 else {
            throw .corrupt(file: name, page: index, reason: "page size \(size.width)×\(size.height) pt")
        }
        // Compared as doubles first: a MediaBox of 1e30 pt would trap in the conversion to Int.
        let wd = (size.width * dpi / 72).rounded(.up), hd = (size.height * dpi / 72).rounded(.up)
        let w = Int(min(wd, 1e12)), h = Int(min(hd, 1e12))
        let total = w.multipliedReportingOverflow(by: h)
        guard w < 1_000_000, h < 1_000_000, !total.overflow, total.partialValue <= limits.maxPixelsPerPage else {
            throw .pixelLimit(file: name, page: index, width: w, height: h, limit: limits.maxPixelsPerPage)
        }
        guard let image = page.render(dpi: dpi, width: w, height: h) else {
            throw .corrupt(file: name, page: index, reason: log.firstError ?? "the page could not be rendered")
        }
        let provenance = PageProvenance(file: name, index: index, compression: "pdf", photometric: "gray",
                                        bitsPerSample: 8, storedXDPI: dpi, storedYDPI: dpi)
        return Page(image: image, xDPI: dpi, yDPI: dpi, provenance: provenance)
    }
}
