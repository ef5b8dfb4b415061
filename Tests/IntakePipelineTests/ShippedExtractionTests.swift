import FormExtraction
import Foundation
import IntakePipeline
import Testing

/// The extractor exactly as the shipped pipeline file builds it (both OCR models and the word list), on a
/// slice of the corpus chosen for what is hardest: normal-resolution faxes, scans with text typed across
/// the member-ID comb, and fine G3 faxes. The whole corpus is `faxintake accuracy`'s job.
@Suite struct ShippedExtractionTests {
    static let subset = ["0000", "0010", "0011", "0027", "0031", "0039"]

    @Test func shippedPipelineReadsTheHardSubset() throws {
        let configuration = try PipelineConfiguration.load(path: Paths.packageRoot.appendingPathComponent("Pipelines/prior-auth.yml").path)
        #expect(configuration.secondOpinionTessdata != nil)
        let extractor = try SharedResources.load(configuration).makeExtractor()
        let items = AccuracyHarness.documents(in: Paths.shared.appendingPathComponent("corpus-dev").path)
            .filter { item in Self.subset.contains { item.document.hasSuffix("/\($0).tif") || item.document.hasSuffix("/\($0).pdf") } }
        #expect(items.count == Self.subset.count)
        let report = AccuracyHarness().run(items, extractor: extractor)
        #expect(report.failures.isEmpty)
        #expect(report.formFound.rate == 1)
        #expect(report.checkboxes.rate == 1)
        // Floors below what this slice measures (see the README), so that OCR's small differences
        // between machines pass and a regression does not.
        #expect(report.fields.rate >= 0.93)
        #expect((report.fieldsByKind["scan_pdf"]?.rate ?? 0) >= 0.95)
        #expect(report.silentErrorRate <= 0.02)
    }

    @Test func aMissingSecondModelIsAConfigurationErrorNamingTheKey() throws {
        let fixture = try PipelineFixture(extraYAML: "extraction: {second_opinion_tessdata: /nonexistent/tessdata}")
        defer { fixture.remove() }
        #expect(fixture.configuration.secondOpinionTessdata == "/nonexistent/tessdata")
        do throws(PipelineError) {
            _ = try PipelineResources.load(fixture.configuration)
            Issue.record("the pipeline's resources loaded without its second model")
        } catch {
            #expect(error.description.contains("extraction.second_opinion_tessdata"))
            #expect(error.description.contains("/nonexistent/tessdata"))
        }
    }
}
