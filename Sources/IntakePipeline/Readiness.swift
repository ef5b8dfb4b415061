import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether a spooled document is complete enough to take.
public enum ReadinessVerdict: Sendable, Equatable {
    case ready(because: String)
    case notYet(because: String)

    public var isReady: Bool {
        if case .ready = self { return true }
        return false
    }
}

/// Decides when a spooled file is complete: the fax server's own signal, or a quiet settle period.
///
/// Remembers what it saw of each file between calls, so one instance must see every check of a run.
public final class Readiness: Sendable {
    public let settleSeconds: Double
    private let clock: any Clock
    private let observations = Mutex<[String: Observation]>([:])

    private struct Observation {
        var size: Int64
        var mtime: timespec
        /// When this size and mtime were first seen.
        var since: Date
    }

    public init(settleSeconds: Double, clock: any Clock) {
        self.settleSeconds = settleSeconds
        self.clock = clock
    }

    public func check(_ entry: SpoolEntry) -> ReadinessVerdict {
        var info = stat()
        guard lstat(entry.path, &info) == 0 else { return .notYet(because: "gone") }
        if Self.isLockedByAnotherProcess(entry.path) {
            return .notYet(because: "another process holds an exclusive lock on it")
        }
        if entry.sidecarPath != nil { return .ready(because: "sidecar present") }
        if entry.markerPath != nil { return .ready(because: "done marker present") }

        let now = clock.now()
        let size = Int64(info.st_size)
        let mtime = info.st_mtim
        let settle = settleSeconds
        return observations.withLock { observations in
            if let seen = observations[entry.path], seen.size == size,
               seen.mtime.tv_sec == mtime.tv_sec, seen.mtime.tv_nsec == mtime.tv_nsec {
                if now.timeIntervalSince(seen.since) >= settle {
                    return .ready(because: "unchanged for \(settle)s")
                }
                return .notYet(because: "settling")
            }
            observations[entry.path] = Observation(size: size, mtime: mtime, since: now)
            return settle == 0 ? .ready(because: "no settle interval") : .notYet(because: "changed since last look")
        }
    }

    /// Forgets a file once it has been taken, so the table does not grow for ever.
    public func forget(_ path: String) {
        observations.withLock { $0[path] = nil }
    }

    /// True when a shared lock cannot be had right now: a writer holds `LOCK_EX`.
    static func isLockedByAnotherProcess(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) != 0 {
            return errno == EWOULDBLOCK
        }
        flock(fd, LOCK_UN)
        return false
    }
}
