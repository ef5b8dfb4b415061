import ArgumentParser
import Dispatch
import Foundation
import IntakePipeline
import IntakeQueue
import Logging
import Synchronization

/// `faxintake run`: the intake daemon, or one pass over the spool with `--once`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Take documents from the spool, extract and route them into the queue.",
        discussion: """
            Watches <spool>/fax/ and <spool>/mail/ (inotify plus a periodic rescan) until SIGTERM or SIGINT, \
            then finishes the documents in flight and exits 0. With --once, processes what is in the spool \
            (waiting a bounded time for files still being written) and exits.
            """
    )

    @OptionGroup var options: PipelineStateOptions

    @Flag(help: "Process what is in the spool now, wait for the workers, and exit.")
    var once = false

    @Option(help: ArgumentHelp("Override the pipeline's spool folder.", valueName: "dir"))
    var spool: String?

    @Option(help: ArgumentHelp("Override the pipeline's archive folder.", valueName: "dir"))
    var archive: String?

    @Option(help: ArgumentHelp("With --once: the longest to wait for files that are not ready yet, in seconds.", valueName: "seconds"))
    var maxWait: Double = 60

    @Option(help: ArgumentHelp("Write Prometheus metrics (counts and stage timings, no PHI) to this file, for node_exporter's textfile collector.", valueName: "path"))
    var metricsFile: String?

    @Option(help: ArgumentHelp("How often to rewrite the metrics file, in seconds.", valueName: "seconds"))
    var metricsInterval: Double = 15

    func run() throws {
        var configuration = try options.load()
        if let spool { configuration.spool = PipelineStateOptions.absolute(spool) }
        if let archive { configuration.archive = PipelineStateOptions.absolute(archive) }
        let progress = isatty(1) == 1
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            // On a terminal the progress line says it all; warnings still show.
            handler.logLevel = progress ? .warning : .info
            return handler
        }
        let logger = Logger(label: "faxintake.run")
        // Every configured file is opened before the spool is touched: a bad one exits 78 and takes nothing.
        let resources = try loadResources(configuration)
        let metrics = metricsFile.map { MetricsFile(path: PipelineStateOptions.absolute($0), every: max(1, metricsInterval)) }
        defer { metrics?.finish() }
        let store = try openStore(configuration)
        do throws(PipelineError) {
            try SpoolScanner(spool: configuration.spool).prepare()
            try OriginalArchive(root: configuration.archive).prepare()
        } catch {
            printError("error: \(error.description)")
            throw SysExit.cantCreate
        }
        let clock = SystemClock()
        let readiness = Readiness(settleSeconds: configuration.settleSeconds, clock: clock)
        let show: @Sendable (RunCounts) -> Void = { counts in ProgressLine.show(counts) }
        let showProgress: (@Sendable (RunCounts) -> Void)? = progress ? show : nil
        let forget: @Sendable (String) -> Void = { path in readiness.forget(path) }
        let pipeline = StagedPipeline(
            configuration: configuration, resources: resources, store: store, clock: clock, logger: logger,
            faults: CrashPoint.fromEnvironment(), onProgress: showProgress, onRelease: forget)
        let intake = SpoolIntake(pipeline: pipeline, readiness: readiness, clock: clock, logger: logger)

        // Signals stop intake; documents in flight still reach commit before we exit.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let signalQueue = DispatchQueue(label: "faxintake.signals")
        let stopRequested = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler {
                logger.info("stop requested; finishing documents in flight", metadata: ["signal": "\(number)"])
                intake.stop()
                stopRequested.signal()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }

        logger.info("starting", metadata: ["pipeline": "\(configuration.name)", "mode": "\(once ? "once" : "daemon")"])
        if once {
            let waiting = intake.runOnce(maxWait: max(maxWait, configuration.settleSeconds * 2))
            finish(pipeline.counts, waiting: waiting, progress: progress, logger: logger)
            return
        }
        let watcher = SpoolWatcher(scanner: intake.scanner, rescanSeconds: configuration.rescanSeconds, logger: logger) {
            intake.requestPass()
        }
        do throws(PipelineError) { try watcher.start() } catch {
            printError("error: \(error.description)")
            throw SysExit.ioError
        }
        intake.requestPass()
        stopRequested.wait()
        watcher.stop()
        pipeline.waitUntilIdle()
        finish(pipeline.counts, waiting: 0, progress: progress, logger: logger)
    }

    private func finish(_ counts: RunCounts, waiting: Int, progress: Bool, logger: Logger) {
        if progress { print("") }
        logger.info("finished", metadata: [
            "taken": "\(counts.taken)", "queued": "\(counts.queued)", "requests": "\(counts.requests)", "failed": "\(counts.failed)",
            "already_present": "\(counts.alreadyPresent)", "retried": "\(counts.retried)",
            "possible_duplicates": "\(counts.possibleDuplicates)", "pages": "\(counts.pages)",
            "left_in_spool": "\(counts.leftInSpool)", "not_ready": "\(waiting)",
        ])
        if progress {
            print("done: \(counts.queued) queued (\(counts.requests) requests), \(counts.failed) failed, \(counts.alreadyPresent) already present, \(counts.pages) pages" +
                  (waiting > 0 ? ", \(waiting) not ready (left in the spool)" : ""))
        }
    }
}

/// The one-line progress display for a terminal.
enum ProgressLine {
    static func show(_ c: RunCounts) {
        let line = "\r\u{1B}[K\(c.taken) taken · \(c.inFlight) in flight · \(c.queued) queued · \(c.failed) failed · \(c.alreadyPresent) already present · \(c.retried) retries"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}

/// A test-only crash point: `FAXINTAKE_TEST_KILL_AT=<stage>:<n>` makes the process SIGKILL itself the n-th
/// time any document reaches `<stage>` (decode, extract, validate, route, archive or commit, where commit is
/// after the archive copy and before the database insert). The crash tests and `scripts/soak.sh` use it to
/// land kills in each stage's window, which random timing alone hits rarely. Debug builds only.
enum CrashPoint {
    static func fromEnvironment() -> StageFaultInjector? {
        #if DEBUG
        guard let spec = ProcessInfo.processInfo.environment["FAXINTAKE_TEST_KILL_AT"] else { return nil }
        let parts = spec.split(separator: ":")
        guard parts.count == 2, let stage = PipelineStage(rawValue: String(parts[0])), let n = Int(parts[1]), n > 0 else {
            printError("warning: FAXINTAKE_TEST_KILL_AT=\(spec) is not <stage>:<n>; ignored")
            return nil
        }
        let counter = CrashCounter()
        return { reached, _ throws(StageFailure) in
            if reached == stage, counter.next() == n { kill(getpid(), SIGKILL) }
        }
        #else
        return nil
        #endif
    }
}

/// Counts stage arrivals across worker threads.
final class CrashCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
