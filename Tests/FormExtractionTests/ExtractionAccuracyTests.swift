import FaxImaging
import Foundation
import Testing
@testable import FormExtraction

/// A small, mixed slice of the development corpus; the full corpus is `faxintake accuracy`'s job.
@Suite struct ExtractionAccuracyTests {
    static let subset = ["0002", "0005", "0012", "0015", "0017", "0019", "0026"]

    @Test func subsetMeetsTheFloor() throws {
        let items = AccuracyHarness.documents(in: Fixtures.shared.appendingPathComponent("corpus-dev").path)
            .filter { item in Self.subset.contains { item.document.hasSuffix("/\($0).tif") || item.document.hasSuffix("/\($0).pdf") } }
        #expect(items.count == Self.subset.count)
        let report = AccuracyHarness().run(items, extractor: try Fixtures.extractor())
        #expect(report.failures.isEmpty)
        #expect(report.formFound.rate == 1)
        #expect(report.orientation.rate == 1)
        #expect(report.checkboxes.rate == 1)
        // Floors well below what the method measures on the whole corpus (see the README), so that a
        // regression fails here while OCR's small run-to-run differences do not.
        #expect(report.fields.rate >= 0.88)
        #expect(report.fieldsByKind["fillable_pdf"]?.rate == 1)
        #expect(report.silentErrorRate <= 0.02)
    }

    @Test func fillablePDFValuesAreExactWithFullConfidence() throws {
        let document = try DocumentDecoder().decode(path: Fixtures.corpus("0016.pdf"))
        let result = try Fixtures.extractor().extract(document)
        let truth = try DocumentTruth.load(Fixtures.corpus("0016.truth.json"))
        #expect(result.method == .acroform)
        for (name, value) in truth.fields {
            #expect(result.fields[name]?.value == value, "\(name)")
            #expect(result.fields[name]?.confidence == 1.0)
        }
        for (group, selected) in truth.checkboxGroups {
            #expect(result.checkboxes[group]?.selected == selected)
        }
    }
}
