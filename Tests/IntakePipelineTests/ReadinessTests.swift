import Foundation
import IntakePipeline
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Readiness") struct ReadinessTests {
    @Test("a file still growing is not taken until it has been quiet for the settle interval")
    func growingFileWaits() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let clock = ManualClock(Date())
        let readiness = Readiness(settleSeconds: 30, clock: clock)
        let path = fixture.spool + "/fax/incoming.tif"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: path))
        let scanner = SpoolScanner(spool: fixture.spool)
        #expect(!readiness.check(try #require(scanner.scan().first)).isReady)
        clock.advance(by: 10)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 2, count: 100))
        try handle.close()
        #expect(!readiness.check(try #require(scanner.scan().first)).isReady)
        clock.advance(by: 20)
        #expect(!readiness.check(try #require(scanner.scan().first)).isReady, "only 20 s since the last change")
        clock.advance(by: 11)
        #expect(readiness.check(try #require(scanner.scan().first)).isReady, "a sidecar that never comes must not block for ever")
    }

    @Test("a file under another process's exclusive flock is not taken, even with a sidecar")
    func lockedFileWaits() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        let path = try fixture.drop("0003.tif", copyCorpusSidecar: true)
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let readiness = Readiness(settleSeconds: 0, clock: SystemClock())
        let entry = try #require(SpoolScanner(spool: fixture.spool).scan().first)
        #expect(!readiness.check(entry).isReady)
        flock(fd, LOCK_UN)
        close(fd)
        #expect(readiness.check(entry).isReady)
    }

    @Test("a sidecar or done marker means ready at once")
    func sidecarMeansReady() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        try fixture.drop("0018.tif")
        FileManager.default.createFile(atPath: fixture.spool + "/fax/0018.done", contents: Data())
        let readiness = Readiness(settleSeconds: 3600, clock: ManualClock(Date()))
        let entries = SpoolScanner(spool: fixture.spool).scan()
        #expect(entries.count == 2)
        for entry in entries { #expect(readiness.check(entry).isReady) }
    }

    @Test("dot-files, partial downloads, companions and symlinks are not documents")
    func ignoredNames() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        for name in [".hidden.tif", "a.tmp", "b.part", "c.filepart", "d.json", "e.done"] {
            FileManager.default.createFile(atPath: fixture.spool + "/fax/" + name, contents: Data([1, 2, 3]))
        }
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/fax/link.tif", withDestinationPath: Paths.corpus("0003.tif"))
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/fax/outside", withDestinationPath: Paths.shared.appendingPathComponent("corpus-dev").path)
        #expect(SpoolScanner(spool: fixture.spool).scan().isEmpty)
    }
}
