import Testing
@testable import FormExtraction

/// How readings from two models and several images settle on one value.
@Suite struct FieldBallotTests {
    static func reading(_ value: String, _ confidence: Double, valid: Bool = true) -> FieldReading {
        FieldReading(value: value, normalized: value, confidence: confidence, valid: valid, needsReview: false, issues: [])
    }

    @Test func oneModelKeepsTheValidMostConfidentReading() {
        var ballot = FieldBallot()
        ballot.add(Self.reading("1234", 0.99, valid: false), engine: 0)
        ballot.add(Self.reading("1235", 0.80), engine: 0)
        ballot.add(Self.reading("1236", 0.85), engine: 0)
        #expect(ballot.agreed == nil)
        #expect(ballot.decision?.value == "1236")
        #expect(ballot.decision?.confidence == 0.85)
    }

    @Test func aValueBothModelsReadWinsOverMoreSupportForOne() {
        var ballot = FieldBallot()
        ballot.add(Self.reading("07/23/2026", 0.90), engine: 0)
        ballot.add(Self.reading("07/23/2026", 0.91), engine: 0)
        ballot.add(Self.reading("02/23/2026", 0.60), engine: 0)
        ballot.add(Self.reading("02/23/2026", 0.70), engine: 1)
        #expect(ballot.agreed?.value == "02/23/2026")
        let decision = ballot.decision
        #expect(decision?.value == "02/23/2026")
        // Agreement keeps the best confidence either model gave.
        #expect(decision?.confidence == 0.70)
    }

    @Test func disagreementLowersConfidenceBySupportShare() {
        var ballot = FieldBallot()
        ballot.add(Self.reading("99723", 0.90), engine: 0)
        ballot.add(Self.reading("99223", 0.30), engine: 1)
        #expect(ballot.agreed == nil)
        let decision = ballot.decision
        #expect(decision?.value == "99723")
        #expect(decision?.confidence == 0.675)  // 0.9 × 0.9 / 1.2
    }

    @Test func invalidValuesNeverSettleAField() {
        var ballot = FieldBallot()
        ballot.add(Self.reading("M72", 0.95, valid: false), engine: 0)
        ballot.add(Self.reading("M72", 0.95, valid: false), engine: 1)
        #expect(ballot.agreed == nil)
        ballot.add(Self.reading("M17.12", 0.40), engine: 1)
        #expect(ballot.decision?.value == "M17.12")
    }

    @Test func tiesGoToTheFirstValueRead() {
        var ballot = FieldBallot()
        ballot.add(Self.reading("A", 0.5), engine: 0)
        ballot.add(Self.reading("B", 0.5), engine: 1)
        #expect(ballot.decision?.value == "A")
    }

    /// A zone with ink that a model reads as nothing: the model gave up, which is no vote for an empty value.
    @Test func nothingReadNeitherSettlesNorOutvotesAValue() {
        var ballot = FieldBallot()
        ballot.add(Self.reading("", 0.90), engine: 0)
        ballot.add(Self.reading("", 0.90), engine: 1)
        #expect(ballot.agreed == nil)
        ballot.add(Self.reading("9", 0.80), engine: 1)
        #expect(ballot.decision?.value == "9")
        // With nothing else read, nothing is what is reported.
        var blank = FieldBallot()
        blank.add(Self.reading("", 0.90), engine: 0)
        blank.add(Self.reading("", 0.90), engine: 1)
        #expect(blank.decision?.value == "")
    }
}
