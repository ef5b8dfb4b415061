import FaxImaging
import Foundation
import IntakeQueue
import Logging

/// Measures the whole pipeline in this process: throughput over a burst, latency at a steady arrival
/// rate, memory over time and time per stage. It reports figures; it never judges them.
public struct PipelineBenchmark {
    /// One document of the source corpus, as the benchmark drops it.
    public struct Source: Sendable {
        public var document: String
        public var sidecar: String?
        public var channel: Channel
        public var pages: Int
    }

    /// What a run measured.
    public struct Figures: Sendable, Codable {
        public var documents: Int
        public var pages: Int
        public var seconds: Double
        public var extractWorkers: Int
        public var decodeWorkers: Int
        public var queued: Int
        public var failed: Int
        public var peakRSSMB: Double
        /// (seconds since start, RSS in MB), sampled every `sampleSeconds`.
        public var rssSeries: [[Double]]
        public var stages: [StageProfile.Entry]
        /// Drop-to-queued latencies in seconds, for a steady-rate run.
        public var latencies: [Double]

        public var pagesPerMinute: Double { seconds > 0 ? Double(pages) / seconds * 60 : 0 }
        public var documentsPerMinute: Double { seconds > 0 ? Double(documents) / seconds * 60 : 0 }
    }

    public let base: PipelineConfiguration
    public let work: String
    public var sampleSeconds = 1.0

    /// `work` is an owner-only scratch folder; spool, state and archive go under it.
    public init(configuration: PipelineConfiguration, work: String) {
        base = configuration
        self.work = work
    }

    /// The documents of a corpus folder: TIFFs with their sidecars as faxes, PDFs as mail.
    public static func sources(in folder: String, decoder: DocumentDecoder = DocumentDecoder()) -> [Source] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { name -> Source? in
            let path = "\(folder)/\(name)"
            guard let format = try? decoder.sniff(path: path) else { return nil }
            let stem = (name as NSString).deletingPathExtension
            let sidecar = names.contains("\(stem).json") ? "\(folder)/\(stem).json" : nil
            let pages = (try? decoder.decode(path: path).pages.count) ?? 0
            return Source(document: path, sidecar: sidecar, channel: format == .tiff ? .fax : .mail, pages: pages)
        }
    }

    /// A configuration whose folders live under `work/<run>`.
    func configuration(run: String) -> PipelineConfiguration {
        var c = base
        c.spool = "\(work)/\(run)/spool"
        c.state = "\(work)/\(run)/state"
        c.archive = "\(work)/\(run)/archive"
        c.settleSeconds = 0
        return c
    }

    /// Copies a source into the spool with a unique trailer, so every copy is a new document (new SHA-256),
    /// written under a dot-name and renamed into place, sidecar last, as the spool contract asks.
    @discardableResult
    static func drop(_ source: Source, copy: Int, into spool: String, receivedAt: Date? = nil) throws -> String {
        let folder = "\(spool)/\(source.channel == .fax ? "fax" : "mail")"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let url = URL(fileURLWithPath: source.document)
        let name = "\(url.deletingPathExtension().lastPathComponent)-\(copy).\(url.pathExtension)"
        var data = try Data(contentsOf: url)
        // Bytes after a TIFF's last IFD or a PDF's %%EOF are ignored by readers.
        data.append(contentsOf: Array("\n%faxintake-bench-copy-\(copy)\n".utf8))
        let temporary = "\(folder)/.\(name).part"
        FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        try FileManager.default.moveItem(atPath: temporary, toPath: "\(folder)/\(name)")
        if let sidecar = source.sidecar {
            var json = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sidecar))) as? [String: Any]) ?? [:]
            if let receivedAt {
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                json["received_at"] = f.string(from: receivedAt)
            }
            let sidecarName = "\(folder)/\((name as NSString).deletingPathExtension).json"
            let body = try JSONSerialization.data(withJSONObject: json)
            FileManager.default.createFile(atPath: sidecarName + ".tmp", contents: body, attributes: [.posixPermissions: 0o600])
            try FileManager.default.moveItem(atPath: sidecarName + ".tmp", toPath: sidecarName)
        }
        return name
    }

    /// Throughput: `copies` copies of the sources dropped at once, then `run --once` over them.
    public func burst(_ sources: [Source], copies: Int, logger: Logger) throws -> Figures {
        let configuration = configuration(run: "burst")
        for copy in 0..<copies { for source in sources { try Self.drop(source, copy: copy, into: configuration.spool) } }
        let (pipeline, intake, store) = try start(configuration, logger: logger)
        RSSSampler.resetPeak()
        let sampler = RSSSampler(every: sampleSeconds)
        let started = Date()
        _ = intake.runOnce(maxWait: 60)
        let seconds = Date().timeIntervalSince(started)
        let series = sampler.stop()
        let counts = pipeline.counts
        _ = store
        return Figures(documents: counts.taken, pages: counts.pages, seconds: seconds,
                       extractWorkers: configuration.workers.extract, decodeWorkers: configuration.workers.decode,
                       queued: counts.queued, failed: counts.failed, peakRSSMB: RSSSampler.peakMB(),
                       rssSeries: series, stages: pipeline.profile.entries, latencies: [])
    }

    /// Latency: documents dropped one at a time at `pagesPerMinute`, for `seconds`, into a watched spool.
    public func steady(_ sources: [Source], pagesPerMinute: Double, seconds: Double, logger: Logger) throws -> Figures {
        let configuration = configuration(run: "steady")
        try FileManager.default.createDirectory(atPath: configuration.spool + "/fax", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: configuration.spool + "/mail", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let (pipeline, intake, store) = try start(configuration, logger: logger)
        let watcher = SpoolWatcher(scanner: intake.scanner, rescanSeconds: configuration.rescanSeconds, logger: logger) { intake.requestPass() }
        try watcher.start()
        RSSSampler.resetPeak()
        let sampler = RSSSampler(every: sampleSeconds)
        let started = Date()
        var dropped: [String: Date] = [:]
        var copy = 0, pages = 0
        var next = started
        while Date().timeIntervalSince(started) < seconds {
            let source = sources[copy % sources.count]
            let now = Date()
            try Self.drop(source, copy: copy, into: configuration.spool, receivedAt: now)
            var data = try Data(contentsOf: URL(fileURLWithPath: source.document))
            data.append(contentsOf: Array("\n%faxintake-bench-copy-\(copy)\n".utf8))
            dropped[SHA256Digest.hex(data)] = now
            pages += source.pages
            copy += 1
            // The next drop waits as long as this document's pages take to arrive at the rate.
            next = next.addingTimeInterval(Double(max(source.pages, 1)) / pagesPerMinute * 60)
            let wait = next.timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        // Let the last documents through.
        let deadline = Date().addingTimeInterval(120)
        while pipeline.counts.queued + pipeline.counts.failed < copy, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        intake.stop()
        watcher.stop()
        pipeline.waitUntilIdle()
        let elapsed = Date().timeIntervalSince(started)
        let series = sampler.stop()
        let items = (try? store.all()) ?? []
        let latencies = items.compactMap { item -> Double? in
            guard let queued = item.queuedAt, let drop = dropped[item.sha256] else { return nil }
            return queued.timeIntervalSince(drop)
        }
        let counts = pipeline.counts
        return Figures(documents: copy, pages: pages, seconds: elapsed,
                       extractWorkers: configuration.workers.extract, decodeWorkers: configuration.workers.decode,
                       queued: counts.queued, failed: counts.failed, peakRSSMB: RSSSampler.peakMB(),
                       rssSeries: series, stages: pipeline.profile.entries, latencies: latencies.sorted())
    }

    private func start(_ configuration: PipelineConfiguration, logger: Logger) throws -> (StagedPipeline, SpoolIntake, SQLiteQueueStore) {
        try SpoolScanner(spool: configuration.spool).prepare()
        try OriginalArchive(root: configuration.archive).prepare()
        let store = try SQLiteQueueStore(path: configuration.state + "/queue.sqlite")
        let clock = SystemClock()
        let readiness = Readiness(settleSeconds: configuration.settleSeconds, clock: clock)
        let pipeline = StagedPipeline(configuration: configuration, resources: try PipelineResources.load(configuration),
                                      store: store, clock: clock, logger: logger, onRelease: { readiness.forget($0) })
        return (pipeline, SpoolIntake(pipeline: pipeline, readiness: readiness, clock: clock, logger: logger), store)
    }
}

/// Samples this process's resident memory in the background.
///
/// `@unchecked Sendable`: the sampling queue appends and `stop` reads, both under `lock`.
final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [[Double]] = []
    private let timer: DispatchSourceTimer
    private let started = Date()

    init(every seconds: Double) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "faxintake.bench.rss"))
        timer.schedule(deadline: .now(), repeating: seconds)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let mb = RSSSampler.currentMB()
            self.lock.withLock { self.samples.append([(Date().timeIntervalSince(self.started) * 10).rounded() / 10, (mb * 10).rounded() / 10]) }
        }
        timer.resume()
    }

    func stop() -> [[Double]] {
        timer.cancel()
        return lock.withLock { samples }
    }

    /// Resets the kernel's peak-RSS mark, so each run reports its own peak.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// VmRSS from /proc/self/status, in MB.
    static func currentMB() -> Double { statusField("VmRSS:") }
    /// VmHWM, the peak resident size since the process started, in MB.
    static func peakMB() -> Double { statusField("VmHWM:") }

    private static func statusField(_ name: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        let kb = Double(line.split(separator: " ").compactMap { Double($0) }.first ?? 0)
        return kb / 1024
    }
}
