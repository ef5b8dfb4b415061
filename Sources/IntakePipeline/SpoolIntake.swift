import Dispatch
import Foundation
import Logging
import Synchronization

/// Feeds ready spool documents to a `StagedPipeline`: one pass for `run --once`, or watched for the daemon.
public final class SpoolIntake: Sendable {
    public let scanner: SpoolScanner
    public let readiness: Readiness
    public let pipeline: StagedPipeline
    private let logger: Logger
    private let clock: any Clock
    private let intakeQueue = DispatchQueue(label: "faxintake.intake")
    private struct State {
        var stopped = false
        var pendingPass = false
        /// Refused paths already reported, so a rescan does not repeat the warning.
        var reportedRefusals: Set<SpoolScanner.Refusal> = []
    }
    private let state = Mutex(State())

    public init(pipeline: StagedPipeline, readiness: Readiness, clock: any Clock = SystemClock(),
                logger: Logger = Logger(label: "faxintake.intake")) {
        self.pipeline = pipeline
        self.readiness = readiness
        self.clock = clock
        self.logger = logger
        scanner = SpoolScanner(spool: pipeline.configuration.spool)
    }

    /// What a single pass left behind.
    public struct PassResult: Sendable, Equatable {
        public var submitted = 0
        /// Documents seen but not yet ready (still being written, locked, or settling).
        public var waiting = 0
        /// Symlinks and other entries refused (reported once each at warning level).
        public var refused = 0
    }

    /// Looks at the spool once and submits every ready document (blocking on back-pressure).
    @discardableResult
    public func pass() -> PassResult {
        var result = PassResult()
        let scan = scanner.scanWithRefusals()
        result.refused = scan.refused.count
        let fresh = state.withLock { state -> [SpoolScanner.Refusal] in
            let new = scan.refused.filter { !state.reportedRefusals.contains($0) }
            state.reportedRefusals.formUnion(new)
            return new
        }
        for refusal in fresh {
            // The spool name only (never the link's target): where it points is not ours to reveal or read.
            logger.warning("refused a spool entry; it stays until someone removes it", metadata: [
                "file": "\(URL(fileURLWithPath: refusal.path).lastPathComponent)", "reason": "\(refusal.reason)",
            ])
        }
        for entry in scan.entries where !pipeline.isClaimed(entry.path) {
            if isStopped { break }
            let verdict = readiness.check(entry)
            if verdict.isReady {
                if pipeline.submit(entry) { result.submitted += 1 }
            } else {
                result.waiting += 1
            }
        }
        return result
    }

    /// `run --once`: passes until nothing is waiting (or `maxWait` passes), then waits for the workers.
    /// Returns how many documents were still not ready when it gave up on them.
    public func runOnce(maxWait: TimeInterval) -> Int {
        let started = clock.now()
        var waiting = 0
        while !isStopped {
            let result = pass()
            waiting = result.waiting
            if waiting == 0 { break }
            if clock.now().timeIntervalSince(started) > maxWait {
                logger.warning("documents still not ready; leaving them for the next run", metadata: ["count": "\(waiting)"])
                break
            }
            Thread.sleep(forTimeInterval: min(0.5, max(0.05, readiness.settleSeconds / 4)))
        }
        pipeline.waitUntilIdle()
        return waiting
    }

    /// Asks for a pass soon; several requests while one is queued collapse into one.
    public func requestPass() {
        let schedule = state.withLock { state -> Bool in
            if state.stopped || state.pendingPass { return false }
            state.pendingPass = true
            return true
        }
        guard schedule else { return }
        intakeQueue.async {
            self.state.withLock { $0.pendingPass = false }
            let result = self.pass()
            if result.waiting > 0 {
                // Something is settling: look again once its settle interval could have passed.
                let delay = max(0.2, min(self.readiness.settleSeconds, 5))
                self.intakeQueue.asyncAfter(deadline: .now() + delay) { self.requestPass() }
            }
        }
    }

    /// Stops taking new documents; those in flight carry on to commit.
    public func stop() {
        state.withLock { $0.stopped = true }
    }

    public var isStopped: Bool { state.withLock { $0.stopped } }
}
