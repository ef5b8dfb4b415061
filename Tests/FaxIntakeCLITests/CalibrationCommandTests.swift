import ArgumentParser
import FormExtraction
import Foundation
import IntakePipeline
import Testing
@testable import FaxIntakeCLI

/// `extraction.calibration` and `target_accuracy` in the pipeline file, and the commands that make and use them.
@Suite struct CalibrationCommandTests {
    static let shared = ExitCodeTests.shared

    @Test func aMalformedCalibrationIsAConfigurationErrorNamingTheKeyAndPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-cli-calibration-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try ExitCodeTests().pipelineFile(extraction: "{calibration: calibration.json}", in: dir)
        let file = dir.appendingPathComponent("calibration.json").standardizedFileURL.path
        try "{\"features\": [\"bias\"]}".write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try PipelineConfiguration.load(path: pipeline)
        #expect(configuration.calibration == file)
        #expect {
            _ = try PipelineResources.load(configuration)
        } throws: { error in
            guard case PipelineError.configuration(_, _, let key, let reason) = error else { return false }
            return key == "extraction.calibration" && reason.contains(file)
        }
        #expect(ExitCodeTests().exitCode(["extract", "\(Self.shared)/corpus-dev/0002.tif", "--pipeline", pipeline]) == 78)
        // A missing file too.
        try FileManager.default.removeItem(atPath: file)
        #expect(ExitCodeTests().exitCode(["extract", "\(Self.shared)/corpus-dev/0002.tif", "--pipeline", pipeline]) == 78)
    }

    @Test func targetAccuracyIsReadAndChecked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-cli-target-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try ExitCodeTests().pipelineFile(extraction: "{target_accuracy: 0.995}", in: dir)
        #expect(try PipelineConfiguration.load(path: good).extraction.targetAccuracy == 0.995)
        let bad = try ExitCodeTests().pipelineFile(extraction: "{target_accuracy: 2}", in: dir)
        #expect(throws: PipelineError.self) { try PipelineConfiguration.load(path: bad) }
    }

    @Test func theShippedPipelineLoadsItsCalibration() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Pipelines/prior-auth.yml").path
        let configuration = try PipelineConfiguration.load(path: path)
        let file = try #require(configuration.calibration)
        let calibration = try ConfidenceCalibration.load(path: file)
        #expect(calibration.corpora == ["corpus-dev", "corpus-t30-dev"])
        #expect(configuration.extraction.targetAccuracy == 0.998)
    }

    @Test func theCurveCountsKeyFieldsAndStraightThroughDocuments() {
        var report = AccuracyReport()
        func field(_ correct: Bool, _ confidence: Double, review: Bool) -> AccuracyReport.KeyField {
            .init(file: "0001.tif", field: "member_id", correct: correct, confidence: confidence, valid: true, needsReview: review)
        }
        report.keyFields = [field(true, 0.999, review: false), field(false, 0.97, review: false), field(true, 0.6, review: true)]
        report.keyDocuments = 2
        report.straightThrough = 1
        let curve = AutomationCurve(report, thresholds: [0.5, 0.98])
        #expect(curve.points.map(\.automated) == [3, 1])
        #expect(curve.points.map(\.automatedCorrect) == [2, 1])
        #expect(curve.keyFieldsAutomated == 2 && curve.keyFieldsWrongUnflagged == 1 && curve.straightThrough == 1)
        let text = AccuracyCommand.render(curve, rule: "test")
        #expect(text.contains("documents straight through:    50.00% (1/2)"))
    }
}
