import Foundation
import Testing
@testable import FaxIntakeCLI

@Suite struct MetricsFileTests {
    /// `run --once --metrics-file` leaves Prometheus text with the run's counts (and no PHI in it).
    ///
    /// In its own process: the metrics system is process-wide, and pipelines other suites run in this
    /// process at the same time would count into it.
    @Test func runWritesPrometheusCounts() throws {
        let shared = ExitCodeTests.shared
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-metrics-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: work + "/spool/fax", withIntermediateDirectories: true)
        for name in ["0002.tif", "0002.json"] {
            try FileManager.default.copyItem(atPath: "\(shared)/corpus-dev/\(name)", toPath: "\(work)/spool/fax/\(name)")
        }
        let pipeline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Pipelines/prior-auth.yml").path
        let binary = try BuiltBinary.path()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "run", "--once", "--pipeline", pipeline, "--spool", work + "/spool", "--state", work + "/state",
            "--archive", work + "/archive", "--metrics-file", work + "/metrics.prom",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_THREAD_LIMIT": "1"]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let text = try String(contentsOfFile: work + "/metrics.prom", encoding: .utf8)
        #expect(text.contains(#"faxintake_documents_total{outcome="queued"} 1"#))
        #expect(text.contains("faxintake_pages_total 2"))
        #expect(text.contains(#"faxintake_stage_duration_seconds_count{stage="ocr"} 1"#))
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(shared)/corpus-dev/0002.truth.json"))) as? [String: Any]
        let fields = truth?["fields"] as? [String: String] ?? [:]
        for key in ["member_name", "member_id", "member_dob"] { #expect(!text.contains(fields[key] ?? "\u{0}")) }
    }
}
