import ArgumentParser
import Foundation

/// The `faxintake` command: intake of faxed and scanned prior-authorization requests.
public struct FaxIntakeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "faxintake",
        abstract: "Turn faxed and scanned prior-authorization requests into routed, structured queue items.",
        version: "0.1.0",
        subcommands: [DecodeCommand.self, ExtractCommand.self, AccuracyCommand.self]
    )

    public init() {}
}

extension FaxIntakeCommand {
    /// Entry point for the executable: keeps `main.swift` to one line and lets tests call commands directly.
    public static func runMain(_ arguments: [String]? = nil) {
        Environment.prepareForOCR()
        main(arguments)
    }
}

/// Process-wide settings that must be in place before any library starts threads.
enum Environment {
    static func prepareForOCR() {
        // Debian's tesseract uses OpenMP; we parallelise ourselves, and nested OpenMP threads make it several times slower.
        setenv("OMP_THREAD_LIMIT", "1", 0)
    }
}
