import Dispatch
import FaxImaging
import Foundation

/// A form ready for extraction: its field map and the structure of its blank page.
public struct FormDefinition: Sendable {
    public var template: FormTemplate
    public var structure: TemplateStructure

    /// Resolution the blank template is rendered at to measure its structure.
    static let analysisDPI = 200.0

    /// Loads the field map and measures the blank form PDF beside it: a new form or revision is data alone.
    public static func load(fieldMap: String, blankForm: String) throws(ExtractionError) -> FormDefinition {
        let template = try FormTemplate.load(fieldMap: fieldMap)
        let decoder = DocumentDecoder(limits: DecodeLimits(pdfRenderDPI: analysisDPI))
        let document: DecodedDocument
        do { document = try decoder.decode(path: blankForm) } catch {
            throw .template(path: blankForm, reason: "cannot render the blank form: \(error.reason)")
        }
        guard let page = document.pages.first else { throw .template(path: blankForm, reason: "the blank form has no pages") }
        let found = StructureAnalyzer.analyze(page.image, dpi: analysisDPI)
        let scale = 72 / analysisDPI
        let bars = found.bars.map {
            SectionBar(top: $0.top * scale, bottom: $0.bottom * scale, left: $0.left * scale, right: $0.right * scale)
        }
        guard bars.count >= 2 else {
            throw .template(path: blankForm, reason: "found \(bars.count) section bars on the blank form; registration needs at least 2")
        }
        return FormDefinition(template: template, structure: TemplateStructure(bars: bars, pageWidth: template.form.pageWidth, pageHeight: template.form.pageHeight))
    }

    /// Loads `NAME.fields.json` and `NAME.pdf` from a folder.
    public static func load(directory: String, name: String) throws(ExtractionError) -> FormDefinition {
        let base = URL(fileURLWithPath: directory).appendingPathComponent(name)
        return try load(fieldMap: base.path + ".fields.json", blankForm: base.path + ".pdf")
    }

    /// Registers one page against this form's structure, or nil when the page is not this form. No OCR:
    /// cheap enough to run on every page as it is decoded.
    public func classify(_ page: Page) -> FormMatch? {
        var timings = ExtractionTimings()
        return classify(page, timings: &timings)
    }

    func classify(_ page: Page, timings: inout ExtractionTimings) -> FormMatch? {
        let started = DispatchTime.now()
        let found = StructureAnalyzer.analyze(page.image, dpi: page.xDPI)
        let analysed = DispatchTime.now()
        let match = FormRegistrar.match(found, template: structure, dpi: page.xDPI)
        timings.classify += Double(analysed.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        timings.register += Double(DispatchTime.now().uptimeNanoseconds - analysed.uptimeNanoseconds) / 1e9
        return match
    }
}
