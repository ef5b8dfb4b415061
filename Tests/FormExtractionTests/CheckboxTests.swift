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

    /// A 42-pixel box in a window with 12 pixels of page around it; `mark` draws inside it.
    static func box(streakAt streak: Int? = nil, mark: Bool = false) -> GrayImage {
        var window = GrayImage(width: 66, height: 66)
        for k in 12..<54 {
            for t in 0..<3 {
                window[k, 12 + t] = 0; window[k, 53 - t] = 0; window[12 + t, k] = 0; window[53 - t, k] = 0
            }
        }
        if mark { for k in 18..<48 { for t in 0..<3 { window[k + t - 1, k] = 0; window[65 - k + t - 1, k] = 0 } } }
        // A streak a receiver left across the page: two rows, edge to edge.
        if let streak { for x in 0..<66 { window[x, streak] = 0; window[x, streak + 1] = 0 } }
        return window
    }

    @Test func aStreakAcrossTheWindowIsNoMark() {
        let empty = CheckboxInk.withoutCrossingLines(Self.box(streakAt: 30))
        let share = CheckboxInk.share(in: empty, side: 42, margin: 12) ?? CheckboxInk.innerShare(in: empty, side: 42, margin: 12)
        #expect(share < 0.02)
        // Without the clean-up the streak alone reads as a mark.
        let raw = Self.box(streakAt: 30)
        let rawShare = CheckboxInk.share(in: raw, side: 42, margin: 12) ?? CheckboxInk.innerShare(in: raw, side: 42, margin: 12)
        #expect(rawShare >= ExtractionPolicy().checkboxMarkedAbove / 2)
        // An X through which the streak runs is still an X.
        let marked = CheckboxInk.withoutCrossingLines(Self.box(streakAt: 30, mark: true))
        let markedShare = CheckboxInk.share(in: marked, side: 42, margin: 12) ?? CheckboxInk.innerShare(in: marked, side: 42, margin: 12)
        #expect(markedShare >= ExtractionPolicy().checkboxMarkedAbove)
    }
}
