import FaxImaging
import Foundation
import Testing
@testable import FormExtraction

/// Checkboxes on faxes whose strokes a fax thickened: an empty box's own frame must not count as a mark.
@Suite struct CheckboxTests {
    // Heavy-stroked faxes, one of them upside down, fine and normal resolution.
    @Test(arguments: ["0003.tif", "0010.tif", "0029.tif"])
    func emptyBoxesStayClearOfTheThresholdsAndMarkedOnesAboveThem(_ name: String) throws {
        let document = try DocumentDecoder().decode(path: Fixtures.corpus(name))
        let result = try Fixtures.extractor().extract(document)
        let truth = try DocumentTruth.load(Fixtures.corpus(name.replacingOccurrences(of: ".tif", with: ".truth.json")))
        let policy = ExtractionPolicy()
        for group in Fixtures.form.template.checkboxGroups {
            let reading = try #require(result.checkboxes[group.name])
            #expect(reading.selected == truth.checkboxGroups[group.name], "\(group.name)")
            #expect(!reading.needsReview, "\(group.name)")
            for option in group.options {
                let mark = try #require(reading.marks[option.value])
                if truth.checkboxGroups[group.name]?.contains(option.value) == true {
                    #expect(mark >= 2 * policy.checkboxMarkedAbove, "\(group.name).\(option.value): \(mark)")
                } else {
                    #expect(mark < policy.checkboxEmptyBelow / 2, "\(group.name).\(option.value): \(mark)")
                }
            }
        }
    }
}
