import Foundation
import Testing

/// The `faxintake` executable that `swift build` put beside the test bundle, for tests that need their own process.
enum BuiltBinary {
    static func path() throws -> String {
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("faxintake").path]
            + (Bundle.main.executableURL.map { [$0.deletingLastPathComponent().appendingPathComponent("faxintake").path] } ?? [])
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                            "faxintake binary not found beside the tests; run swift build first")
    }
}
