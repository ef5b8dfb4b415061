import Foundation
import IntakePipeline
import IntakeQueue
import Testing

/// A tiny tmpfs mounted over a folder for one test. The test runs as root (CI and dev machines here do);
/// where mounting is not allowed, `mount` returns nil and the caller falls back to an injected fault.
final class TinyVolume {
    let path: String
    private init(path: String) { self.path = path }

    static func mount(at path: String, kilobytes: Int) -> TinyVolume? {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // mode=0700: a fresh tmpfs root is 1777, which the owner-only rules would rightly refuse.
        guard shell(["/bin/mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0700", "tmpfs", path]) == 0 else { return nil }
        return TinyVolume(path: path)
    }

    func resize(kilobytes: Int) -> Bool {
        TinyVolume.shell(["/bin/mount", "-o", "remount,size=\(kilobytes)k", path]) == 0
    }

    /// Fills what is left with a filler file, so the next write gets ENOSPC.
    func fill() {
        _ = TinyVolume.shell(["/bin/sh", "-c", "cat /dev/zero > '\(path)/filler' 2>/dev/null; sync"])
    }

    func freeFiller() { try? FileManager.default.removeItem(atPath: path + "/filler") }

    func unmount() { _ = TinyVolume.shell(["/bin/umount", "-l", path]) }

    @discardableResult
    static func shell(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

@Suite("Resource faults", .serialized) struct ResourceFaultTests {
    /// Files under the archive, by name; temp files start with ".tmp-".
    static func archiveFiles(_ fixture: PipelineFixture) -> [String] {
        (FileManager.default.enumerator(atPath: fixture.configuration.archive)?.allObjects as? [String] ?? [])
            .filter { $0.contains(".") && $0 != "filler" }
    }

    @Test("the archive volume is full: the fax stays in the spool, no copy under its final name, no row; committed once there is room")
    func archiveDiskFull() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        let store = try SQLiteQueueStore(path: fixture.configuration.state + "/queue.sqlite")
        guard let volume = TinyVolume.mount(at: fixture.configuration.archive, kilobytes: 64) else {
            // Not allowed to mount here: the injected fault gives the same error the full disk would.
            let full: StageFaultInjector = { stage, _ throws(StageFailure) in
                if stage == .archive { throw StageFailure(stage: .archive, reason: "write failed (No space left on device)", permanent: false) }
            }
            let counts = try fixture.runOnce(store: store, faults: full)
            #expect(counts.leftInSpool == 0 && counts.failed == 1, "simulated: the failed item records it")
            return
        }
        defer { volume.unmount() }
        volume.fill()
        let counts = try fixture.runOnce(store: store)
        #expect(counts.leftInSpool == 1)
        #expect(counts.queued == 0 && counts.failed == 0)
        #expect(Set(fixture.spoolFiles()) == ["fax/0003.tif", "fax/0003.json"])
        #expect(try store.all().isEmpty, "a row without its archived original")
        #expect(Self.archiveFiles(fixture).isEmpty, "left in the archive: \(Self.archiveFiles(fixture))")

        volume.freeFiller()
        let again = try fixture.runOnce(store: store)
        #expect(again.queued == 1)
        #expect(fixture.spoolFiles().isEmpty)
        let item = try #require(try store.all().first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: item.archivePath)) == Data(contentsOf: URL(fileURLWithPath: Paths.corpus("0003.tif"))))
        #expect(try store.integrityCheck())
    }

    @Test("the state volume is full: the fax stays in the spool, the database is sound and has no row; committed once there is room")
    func stateDiskFull() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        guard let volume = TinyVolume.mount(at: fixture.configuration.state, kilobytes: 512) else {
            Issue.record("cannot mount a tmpfs here (no privilege); the state-volume case needs root")
            return
        }
        defer { volume.unmount() }
        let store = try SQLiteQueueStore(path: fixture.configuration.state + "/queue.sqlite", busyTimeout: 0.2)
        volume.fill()
        let counts = try fixture.runOnce(store: store)
        #expect(counts.leftInSpool == 1)
        #expect(counts.queued == 0)
        #expect(Set(fixture.spoolFiles()) == ["fax/0003.tif", "fax/0003.json"])
        #expect(try store.all().isEmpty)

        volume.freeFiller()
        #expect(try store.integrityCheck())
        let again = try fixture.runOnce(store: store)
        #expect(again.queued == 1)
        #expect(fixture.spoolFiles().isEmpty)
        #expect(try store.all().count == 1)
        #expect(try store.integrityCheck())
    }

    @Test("another process holds the database locked: the fax waits in the spool, then commits once the lock is gone")
    func databaseLockedByAnotherProcess() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        let database = fixture.configuration.state + "/queue.sqlite"
        let store = try SQLiteQueueStore(path: database, busyTimeout: 0.2)
        // A real second process (python's sqlite3) holding an exclusive transaction until its stdin closes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN EXCLUSIVE')
            print('locked', flush=True)
            sys.stdin.read()
            """, database]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.contains("locked"))

        let counts = try fixture.runOnce(store: store)
        #expect(counts.leftInSpool == 1)
        #expect(counts.queued == 0)
        #expect(Set(fixture.spoolFiles()) == ["fax/0003.tif", "fax/0003.json"])

        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        #expect(try store.all().isEmpty)
        let again = try fixture.runOnce(store: store)
        #expect(again.queued == 1)
        #expect(fixture.spoolFiles().isEmpty)
        #expect(try store.integrityCheck())
    }

    @Test("a stage that throws every time fails its document after the retry budget; the rest keep flowing")
    func stageThrowsAgainAndAgain() throws {
        let fixture = try PipelineFixture(retryAttempts: 3)
        defer { fixture.remove() }
        for n in ["0003", "0012", "0018"] { try fixture.drop("\(n).tif", copyCorpusSidecar: true) }
        let store = InMemoryQueueStore()
        let counts = try fixture.runOnce(store: store, faults: { stage, name throws(StageFailure) in
            if stage == .extract, name == "0012.tif" {
                throw StageFailure(stage: .extract, reason: "OCR engine crashed (injected)", permanent: false)
            }
        })
        #expect(counts.retried == 2)
        #expect(counts.queued == 2 && counts.failed == 1)
        let items = try store.all()
        let failed = try #require(items.first { $0.status == .failed })
        #expect(failed.sourceFileName == "0012.tif")
        #expect(failed.failure?.attempts == 3)
        #expect(failed.failure?.permanent == false)
        #expect(failed.failure?.stage == .extract)
        #expect(Set(items.filter { $0.status == .queued }.map(\.sourceFileName)) == ["0003.tif", "0018.tif"])
        #expect(fixture.spoolFiles().isEmpty)
    }
}
