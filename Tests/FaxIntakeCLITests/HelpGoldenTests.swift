import ArgumentParser
import Foundation
import Testing
@testable import FaxIntakeCLI

/// `--help` is the operators' manual: changes to it must be deliberate. Each golden file holds the
/// expected help text; regenerate with FAXINTAKE_UPDATE_GOLDEN=1 after a deliberate change.
@Suite struct HelpGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let commands: [(String, ParsableCommand.Type)] = [
        ("faxintake", FaxIntakeCommand.self),
        ("decode", DecodeCommand.self),
        ("extract", ExtractCommand.self),
        ("accuracy", AccuracyCommand.self),
        ("calibrate", CalibrateCommand.self),
        ("run", RunCommand.self),
        ("report", ReportCommand.self),
        ("reprocess", ReprocessCommand.self),
        ("bench-run", BenchRunCommand.self),
        ("console", ConsoleCommand.self),
        ("users-add", UsersAddCommand.self),
        ("audit-list", AuditListCommand.self),
    ]

    @Test(arguments: commands.map(\.0))
    func helpMatchesGolden(name: String) throws {
        let command = try #require(Self.commands.first { $0.0 == name }?.1)
        let help = FaxIntakeCommand.helpMessage(for: command, columns: 100)
        let file = Self.golden.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["FAXINTAKE_UPDATE_GOLDEN"] == "1" {
            try help.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(help == expected)
    }
}
