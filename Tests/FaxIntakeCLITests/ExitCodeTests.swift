import ArgumentParser
import Foundation
import Testing
@testable import FaxIntakeCLI

/// The decode command's exit status is a contract with the fax server's scripts.
@Suite struct ExitCodeTests {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared").path

    func exitCode(_ arguments: [String]) -> Int32 {
        do {
            var command = try FaxIntakeCommand.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            return FaxIntakeCommand.exitCode(for: error).rawValue
        }
    }

    @Test func goodFilesExitZero() {
        #expect(exitCode(["decode", "\(Self.shared)/corpus-dev/0002.tif", "\(Self.shared)/corpus-dev/0016.pdf"]) == 0)
    }

    @Test func badInputExits65() {
        #expect(exitCode(["decode", "\(Self.shared)/corpus-dev/0002.tif", "\(Self.shared)/realdata/malformed/pdfjs_pwprotected_issue6010_1.pdf"]) == 65)
    }

    @Test func missingFileExits66() {
        #expect(exitCode(["decode", "\(Self.shared)/corpus-dev/0002.tif", "/nonexistent/fax.tif"]) == 66)
    }

    @Test func badPipelineFileExits78() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yml")
        try "spool: s\nstate: t\narchive: a\nform: {template: x}\nlines:\n  - {name: elective, number: 12}\nworkers: {decode: zero}\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(exitCode(["extract", "\(Self.shared)/corpus-dev/0002.tif", "--pipeline", bad.path]) == 78)
    }

    /// A pipeline file in a fresh temporary folder with the given `extraction:` mapping.
    func pipelineFile(extraction: String, in dir: URL) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let packageTemplate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Pipelines/forms/medical-prior-authorization-request-form").path
        let pipeline = dir.appendingPathComponent("pipeline.yml")
        try """
        spool: s
        state: t
        archive: a
        form: {template: \(packageTemplate)}
        lines:
          - {name: elective, number: 1-555-010-4001, route: elective}
        extraction: \(extraction)

        """.write(to: pipeline, atomically: true, encoding: .utf8)
        return pipeline.path
    }

    @Test func missingWordListExits78() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-cli-words-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try pipelineFile(extraction: "{word_list: no-such-list.txt}", in: dir)
        #expect(exitCode(["extract", "\(Self.shared)/corpus-dev/0002.tif", "--pipeline", pipeline]) == 78)
    }

    @Test func missingSecondOpinionModelExits78() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-cli-model-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try pipelineFile(extraction: "{second_opinion_tessdata: no-such-tessdata}", in: dir)
        #expect(exitCode(["extract", "\(Self.shared)/corpus-dev/0002.tif", "--pipeline", pipeline]) == 78)
    }

    @Test func usageErrorExits64() {
        #expect(exitCode(["decode", "--no-such-flag"]) == 64)
    }
}
