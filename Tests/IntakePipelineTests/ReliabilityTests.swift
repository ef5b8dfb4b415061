import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// kill -9 in each stage's window, then restart: nothing lost, nothing doubled, the database sound.
///
/// The kills land through the debug build's crash point (`FAXINTAKE_TEST_KILL_AT`, see RunCommand), so each
/// one is known to hit the stage it names; `scripts/soak.sh` adds many more, at random times as well.
@Suite("Reliability: kill -9", .serialized) struct ReliabilityTests {
    /// Checks what must hold after any kill: each input is still in the spool or has exactly one item.
    static func nothingLost(_ inputs: [String: String], fixture: PipelineFixture, store: SQLiteQueueStore) throws {
        let items = try store.all()
        let inQueue = Set(items.map(\.sha256))
        #expect(inQueue.count == items.count, "two items for one file")
        var inSpool: Set<String> = []
        for file in fixture.spoolFiles() where !file.hasSuffix(".json") && !file.hasSuffix(".done") {
            inSpool.insert(try fileSHA256(fixture.spool + "/" + file))
        }
        for (name, sha) in inputs {
            #expect(inQueue.contains(sha) || inSpool.contains(sha), "\(name) is neither in the spool nor in the queue")
        }
        #expect(inQueue.isSubset(of: Set(inputs.values)), "an item for bytes nobody dropped")
        #expect(try store.integrityCheck())
    }

    @Test("a kill in decode, extract, route, archive and commit: after each restart every input is one item")
    func killInEachStage() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture) else { return }
        var inputs: [String: String] = [:]
        for n in ["0003", "0012", "0018", "0015"] {
            let path = try fixture.drop("\(n).tif", copyCorpusSidecar: true)
            inputs[n] = try fileSHA256(path)
        }
        for n in ["0016", "0019"] { inputs[n] = try fileSHA256(try fixture.drop("\(n).pdf", into: "mail")) }
        // A damaged fax too, so the failed-item path is crossed by kills as well.
        let cut = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0018.tif"))).prefix(3000)
        try cut.write(to: URL(fileURLWithPath: fixture.spool + "/fax/cut.tif"))
        inputs["cut"] = SHA256Digest.hex(cut)

        // Stage and which arrival at it dies; later ones find fewer documents left, so small n.
        let kills = [("decode", 2), ("extract", 2), ("route", 1), ("archive", 2), ("commit", 1)]
        var survived = 0
        for (stage, n) in kills {
            let outcome = try daemon.runOnce(environment: ["FAXINTAKE_TEST_KILL_AT": "\(stage):\(n)"])
            #expect(outcome.status != -1, "hung at \(stage)")
            let store = try SQLiteQueueStore(path: daemon.database)
            try Self.nothingLost(inputs, fixture: fixture, store: store)
            try store.close()
            if outcome.killed { survived += 1 }
        }
        // Every kill must have fired, or the test proved less than it says.
        #expect(survived == kills.count)

        let final = try daemon.runOnce()
        #expect(final.status == 0, "\(final.stderr)")
        #expect(fixture.spoolFiles().isEmpty, "left: \(fixture.spoolFiles())")
        let store = try SQLiteQueueStore(path: daemon.database)
        let items = try store.all()
        #expect(items.count == inputs.count)
        #expect(Set(items.map(\.sha256)) == Set(inputs.values))
        let failed = items.filter { $0.status == .failed }
        #expect(failed.map(\.sha256) == [inputs["cut"]])
        #expect(items.filter { $0.status == .queued }.count == inputs.count - 1)
        #expect(try store.integrityCheck())
        // No half-written copy survives a kill under any name: the temp files of the archive are gone or
        // were never made, and every archived original has its item.
        let archived = (FileManager.default.enumerator(atPath: fixture.configuration.archive)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".tif") || $0.hasSuffix(".pdf") || $0.hasSuffix(".bin") }
        #expect(archived.count == inputs.count)
    }

    @Test("a kill at a random moment of a batch, twice, then a clean run: nothing lost")
    func killAtRandomMoments() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture) else { return }
        var inputs: [String: String] = [:]
        for n in ["0000", "0006", "0014"] {
            inputs[n] = try fileSHA256(try fixture.drop("\(n).tif", copyCorpusSidecar: true))
        }
        // Fixed seed: the kill moments are reproducible, yet not tied to any stage.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2 {
            let delay = 0.3 + Double(rng.next() % 2500) / 1000
            let started = Date()
            _ = try daemon.runOnce(killWhen: { _ in Date().timeIntervalSince(started) > delay })
            let store = try SQLiteQueueStore(path: daemon.database)
            try Self.nothingLost(inputs, fixture: fixture, store: store)
            try store.close()
        }
        #expect(try daemon.runOnce().status == 0)
        #expect(fixture.spoolFiles().isEmpty)
        let store = try SQLiteQueueStore(path: daemon.database)
        #expect(Set(try store.all().map(\.sha256)) == Set(inputs.values))
        #expect(try store.all().count == inputs.count)
        #expect(try store.integrityCheck())
    }
}

/// A small seeded generator, so every "random" test input is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
