import FaxImaging
import Foundation
import Testing
@testable import FormExtraction

@Suite struct FormLocationTests {
    @Test func blankTemplateHasItsSixSectionBars() {
        #expect(Fixtures.form.structure.bars.count == 6)
        #expect(Fixtures.form.template.fields.count == 36)
        #expect(Fixtures.form.template.checkboxGroups.count == 4)
    }

    /// A fine fax with a cover sheet, an upside-down fine fax, an upside-down normal-resolution fax,
    /// a long fax with clinical notes, and a mail-room scan.
    @Test(arguments: ["0002.tif", "0001.tif", "0005.tif", "0004.tif", "0011.pdf"])
    func formPageAndOrientationMatchTruth(name: String) throws {
        let truth = try DocumentTruth.load(Fixtures.corpus(name.replacingOccurrences(of: ".tif", with: ".truth.json")
            .replacingOccurrences(of: ".pdf", with: ".truth.json")))
        let document = try DocumentDecoder().decode(path: Fixtures.corpus(name))
        let extractor = try Fixtures.extractor()
        let located = try #require(extractor.locateForm(in: document))
        #expect(located.index + 1 == truth.formPage)
        #expect((located.match.rotation == 180) == (truth.upsideDown ?? false))
        #expect(abs(located.match.skewDegrees) <= 2.5)
        // Every other page is classified as not the form.
        for (i, page) in document.pages.enumerated() where i != located.index {
            #expect(extractor.classify(page) == nil, "page \(i + 1)")
        }
    }

    @Test func realFaxWithoutTheFormHasNoFormPage() throws {
        let path = Fixtures.shared.appendingPathComponent("realdata/faxes/ccitt_1.tif").path
        let document = try DocumentDecoder().decode(path: path)
        let result = try Fixtures.extractor().extract(document)
        #expect(result.form == nil)
        #expect(result.method == ExtractionMethod.none)
        // Every field and group is still present, empty.
        #expect(Set(result.fields.keys) == Set(Fixtures.form.template.fields.map(\.name)))
        #expect(result.fields.values.allSatisfy { $0.value.isEmpty })
        #expect(Set(result.checkboxes.keys) == Set(Fixtures.form.template.checkboxGroups.map(\.name)))
    }
}
