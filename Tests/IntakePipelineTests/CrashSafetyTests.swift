import Foundation
import IntakePipeline
import IntakeQueue
import Testing

@Suite("Crash safety") struct CrashSafetyTests {
    /// The built `faxintake` beside the test bundle, or in a known scratch path.
    static func binary() -> String? {
        var candidates: [String] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("faxintake").path) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("faxintake").path)
        for scratch in [".build-pipeline", ".build"] {
            candidates.append(Paths.packageRoot.appendingPathComponent("\(scratch)/debug/faxintake").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs the binary; with `killWhen`, sends SIGKILL as soon as the condition holds (checked every 20 ms, for up to 120 s).
    static func run(_ binary: String, _ fixture: PipelineFixture, killWhen: (() -> Bool)?) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--once", "--pipeline", fixture.root + "/test.yml"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let killWhen {
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning, Date() < deadline, !killWhen() { Thread.sleep(forTimeInterval: 0.02) }
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("kill -9 mid-batch, run again: every input is exactly one item, spool empty, database sound")
    func killAndRerun() throws {
        guard let binary = Self.binary() else {
            Issue.record("faxintake binary not found beside the tests or in .build-pipeline/.build; build it first")
            return
        }
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        // The pipeline file the binary reads: same settings as the in-process fixture.
        let yaml = """
            name: crash
            spool: \(fixture.root)/spool
            state: \(fixture.root)/state
            archive: \(fixture.root)/archive
            form: {template: \(Paths.formTemplate)}
            lines:
              - {name: elective, number: 1-555-010-4001, request_types: [outpatient_elective, inpatient_elective]}
              - {name: emergency_inpatient, number: 1-555-010-4002, request_types: [emergency_inpatient]}
              - {name: snf, number: 1-555-010-4003, request_types: [snf]}
            workers: {decode: 1, extract: 2}
            limits: {max_in_flight: 2}
            retry: {attempts: 1, backoff_seconds: 0}
            readiness: {settle_seconds: 0}
            """
        try yaml.write(toFile: fixture.root + "/test.yml", atomically: true, encoding: .utf8)
        let faxes = ["0003", "0012", "0018", "0015"]
        for n in faxes { try fixture.drop("\(n).tif", copyCorpusSidecar: true) }
        try fixture.drop("0016.pdf", into: "mail")
        try fixture.drop("0019.pdf", into: "mail")
        let inputs = faxes.map { "\($0).tif" } + ["0016.pdf", "0019.pdf"]
        let hashes = try Set(inputs.map { SHA256Digest.hex(try Data(contentsOf: URL(fileURLWithPath: Paths.corpus($0)))) })

        // Kill once the first original is archived: the batch is then surely under way and unfinished.
        let archive = fixture.root + "/archive"
        _ = try Self.run(binary, fixture) {
            let names = FileManager.default.enumerator(atPath: archive)?.allObjects as? [String] ?? []
            return names.contains { $0.hasSuffix(".tif") || $0.hasSuffix(".pdf") }
        }
        // Otherwise the test proves nothing: the first run must have been cut short.
        #expect(!fixture.spoolFiles().isEmpty, "the first run finished before kill -9")
        let status = try Self.run(binary, fixture, killWhen: nil)
        #expect(status == 0)
        #expect(fixture.spoolFiles().isEmpty, "left: \(fixture.spoolFiles())")
        let store = try SQLiteQueueStore(path: fixture.root + "/state/queue.sqlite")
        let items = try store.all()
        #expect(items.count == inputs.count)
        #expect(Set(items.map(\.sha256)) == hashes)
        #expect(items.allSatisfy { $0.status == .queued })
        #expect(try store.integrityCheck())
    }
}
