import Foundation
import IntakePipeline
import IntakeQueue
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Security: owner-only files, the spool's walls, unreadable files") struct SecurityTests {
    @Test("with umask 000, every archive and state file is 0600 and every folder FaxIntake makes is 0700")
    func ownerOnlyUnderPermissiveUmask() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        // Nested folders that do not exist yet: the intermediate one is FaxIntake's to make, too.
        guard let daemon = try DaemonProcess(fixture: fixture, state: fixture.root + "/var/state", archive: fixture.root + "/var/archive") else { return }
        try fixture.drop("0003.tif", copyCorpusSidecar: true)
        try fixture.drop("0016.pdf", into: "mail")
        _ = FileManager.default.createFile(atPath: fixture.spool + "/fax/empty.tif", contents: Data())
        let outcome = try daemon.runOnce(wrapper: ["sh", "-c", "umask 000; exec \"$0\" \"$@\""])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(fixture.spoolFiles().isEmpty)
        var seen = 0
        for root in [fixture.root + "/var/state", fixture.root + "/var/archive"] {
            for (path, mode, isDirectory) in treeModes(root) {
                seen += 1
                #expect(mode == (isDirectory ? 0o700 : 0o600), "\(root)/\(path) is \(String(mode, radix: 8))")
            }
        }
        #expect(seen >= 7, "expected the database, archived originals and sidecar, and their folders")
        for (_, mode, _) in treeModes(fixture.root + "/var").prefix(1) {
            #expect(mode == 0o700, "the intermediate folder FaxIntake created is \(String(mode, radix: 8))")
        }
    }

    @Test("a symlink in a drop folder (to /etc/passwd, to a file or folder outside) is refused, reported, and its target never opened")
    func symlinksAreRefused() throws {
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture) else { return }
        let outside = fixture.root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.corpus("0012.tif"), toPath: outside + "/secret.tif")
        try FileManager.default.copyItem(atPath: Paths.corpus("0003.json"), toPath: outside + "/secret.json")
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/fax/passwd.tif", withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/fax/secret.tif", withDestinationPath: outside + "/secret.tif")
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/fax/snf", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/mail/up.pdf", withDestinationPath: "../../outside/secret.tif")
        // A real fax whose sidecar is a link to a file outside: the fax is taken, the sidecar is not read.
        try fixture.drop("0003.tif", as: "real.tif")
        try FileManager.default.createSymbolicLink(atPath: fixture.spool + "/fax/real.json", withDestinationPath: outside + "/secret.json")

        // inotify on the outside folder: any open of anything in it by the daemon would show up here.
        let watch = inotify_init1(Int32(IN_NONBLOCK))
        #expect(watch >= 0)
        defer { close(watch) }
        #expect(inotify_add_watch(watch, outside, UInt32(IN_OPEN) | UInt32(IN_ACCESS)) >= 0)

        let outcome = try daemon.runOnce()
        #expect(outcome.status == 0)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(watch, &buffer, buffer.count)
        #expect(n <= 0, "a file outside the spool was opened or read")

        let store = try SQLiteQueueStore(path: daemon.database)
        let items = try store.all()
        #expect(items.map(\.sourceFileName) == ["real.tif"])
        // The outside sidecar says elective; unread, the fax has no number and goes to unrouted.
        #expect(items.first?.route == "unrouted")
        let passwd = try fileSHA256("/etc/passwd"), secret = try fileSHA256(outside + "/secret.tif")
        let archived = (FileManager.default.enumerator(atPath: fixture.configuration.archive)?.allObjects as? [String]) ?? []
        #expect(!archived.contains { $0.contains(passwd) || $0.contains(secret) })
        #expect(!archived.contains { $0.hasSuffix(".json") }, "the linked sidecar was archived")
        for name in ["passwd.tif", "secret.tif", "snf", "up.pdf"] {
            #expect(outcome.stderr.contains("file=\(name) ") && outcome.stderr.contains("refused"), "\(name) not reported")
        }
        // Left for a person: FaxIntake does not delete what it refused.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: fixture.spool + "/fax/passwd.tif")) == "/etc/passwd")
    }

    /// Root reads anything whatever its mode, so chmod 000 alone proves nothing here. The daemon runs as
    /// root with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH removed from its bounding set (setpriv), which is
    /// exactly what an unprivileged owner faces: a mode-000 file cannot be opened.
    @Test("a file the daemon may not read: a clear error, left in the spool, and taken once it is fixed")
    func unreadableThenFixed() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            Issue.record("setpriv (util-linux) is needed to run the daemon without CAP_DAC_OVERRIDE")
            return
        }
        let fixture = try PipelineFixture()
        defer { fixture.remove() }
        guard let daemon = try DaemonProcess(fixture: fixture, retryAttempts: 2) else { return }
        let path = try fixture.drop("0003.tif", copyCorpusSidecar: true)
        try fixture.drop("0018.tif", copyCorpusSidecar: true)
        chmod(path, 0)
        let unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
        let first = try daemon.runOnce(wrapper: unprivileged)
        #expect(first.status == 0, "\(first.stderr)")
        let errorLine = first.stderr.split(separator: "\n").first { $0.contains(" error ") }
        #expect(errorLine?.contains("permission denied") == true, "no clear error: \(first.stderr)")
        #expect(errorLine?.contains("leaving it in the spool") == true)
        #expect(Set(fixture.spoolFiles()) == ["fax/0003.tif", "fax/0003.json"], "the readable fax flows on")
        let store = try SQLiteQueueStore(path: daemon.database)
        #expect(try store.all().map(\.sourceFileName) == ["0018.tif"])

        chmod(path, 0o644)
        let second = try daemon.runOnce(wrapper: unprivileged)
        #expect(second.status == 0)
        #expect(fixture.spoolFiles().isEmpty)
        #expect(Set(try store.all().map(\.sourceFileName)) == ["0003.tif", "0018.tif"])
        #expect(try store.all().allSatisfy { $0.status == .queued })
    }
}
