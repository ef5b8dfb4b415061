import Dispatch
import FaxImaging
import Foundation

/// A form ready for extraction: its field map and the structure of its blank page.
public struct FormDefinition: Sendable {
    public var template: FormTemplate
    public var structure: TemplateStructure

    /// Resolution the blank template is rendered at to measure its structure.
    static let analysisDPI = 200.0

    /// Loads the field map, and the blank form's structure: from `structure` when given (measured once and
    /// checked in, so that registration does not depend on the fonts a machine substitutes for the form's
    /// unembedded ones), else measured from the blank form PDF. A new form or revision is data alone.
    public static func load(fieldMap: String, blankForm: String, structure: String? = nil) throws(ExtractionError) -> FormDefinition {
        let template = try FormTemplate.load(fieldMap: fieldMap)
        guard let structure else { return FormDefinition(template: template, structure: try measure(blankForm: blankForm, template: template)) }
        let stored: TemplateStructure
        do { stored = try JSONDecoder().decode(TemplateStructure.self, from: Data(contentsOf: URL(fileURLWithPath: structure))) } catch {
            throw .template(path: structure, reason: "cannot read the form's measured structure: \(error)")
        }
        guard stored.bars.count >= 2 else {
            throw .template(path: structure, reason: "holds \(stored.bars.count) section bars; registration needs at least 2")
        }
        guard abs(stored.pageWidth - template.form.pageWidth) < 1, abs(stored.pageHeight - template.form.pageHeight) < 1 else {
            throw .template(path: structure, reason: "measured on a \(stored.pageWidth)×\(stored.pageHeight) pt page; the field map's form is \(template.form.pageWidth)×\(template.form.pageHeight) pt")
        }
        return FormDefinition(template: template, structure: stored)
    }

    /// Renders the blank form and measures its section bars, in points. What it finds depends a little on
    /// the fonts fontconfig substitutes for unembedded ones: `faxintake form-structure` stores it once.
    public static func measure(blankForm: String, template: FormTemplate) throws(ExtractionError) -> TemplateStructure {
        let decoder = DocumentDecoder(limits: DecodeLimits(pdfRenderDPI: analysisDPI))
        let document: DecodedDocument
        do { document = try decoder.decode(path: blankForm) } catch {
            throw .template(path: blankForm, reason: "cannot render the blank form: \(error.reason)")
        }
        guard let page = document.pages.first else { throw .template(path: blankForm, reason: "the blank form has no pages") }
        let found = StructureAnalyzer.analyze(page.image, dpi: analysisDPI)
        let scale = 72 / analysisDPI
        // Hundredths of a point: the stored file reads the same on every machine.
        func pt(_ v: Double) -> Double { (v * scale * 100).rounded() / 100 }
        let bars = found.bars.map { SectionBar(top: pt($0.top), bottom: pt($0.bottom), left: pt($0.left), right: pt($0.right)) }
        guard bars.count >= 2 else {
            throw .template(path: blankForm, reason: "found \(bars.count) section bars on the blank form; registration needs at least 2")
        }
        return TemplateStructure(bars: bars, pageWidth: template.form.pageWidth, pageHeight: template.form.pageHeight)
    }

    /// Loads `NAME.fields.json` and `NAME.pdf` from a folder, with `NAME.structure.json` when it is there.
    public static func load(directory: String, name: String) throws(ExtractionError) -> FormDefinition {
        let base = URL(fileURLWithPath: directory).appendingPathComponent(name)
        let structure = base.path + ".structure.json"
        return try load(fieldMap: base.path + ".fields.json", blankForm: base.path + ".pdf",
                        structure: FileManager.default.fileExists(atPath: structure) ? structure : nil)
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
        let match = FormRegistrar.match(found, template: structure, dpi: page.xDPI, aspect: page.xDPI / max(page.yDPI, 1))
        timings.classify += Double(analysed.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        timings.register += Double(DispatchTime.now().uptimeNanoseconds - analysed.uptimeNanoseconds) / 1e9
        return match
    }
}
