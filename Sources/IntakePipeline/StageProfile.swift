import Foundation
import Metrics

/// Time spent per stage across a run: where the time goes, for the benchmark and the run summary.
///
/// `@unchecked Sendable`: workers on several queues add to it; every access holds `lock`.
public final class StageProfile: @unchecked Sendable {
    /// One stage's total.
    public struct Entry: Sendable, Codable, Equatable {
        public var stage: String
        public var count: Int
        public var seconds: Double
    }

    /// The stages in pipeline order, for printing.
    public static let order = ["decode", "classify", "register", "ocr", "validate+route", "commit"]

    private let lock = NSLock()
    private var totals: [String: (count: Int, seconds: Double)] = [:]
    private var timers: [String: Metrics.Timer] = [:]

    public init() {}

    public func add(_ stage: String, seconds: Double, count: Int = 1) {
        let timer = lock.withLock { () -> Metrics.Timer in
            let old = totals[stage] ?? (0, 0)
            totals[stage] = (old.count + count, old.seconds + seconds)
            if let timer = timers[stage] { return timer }
            // Exported through swift-metrics; a no-op unless the process bootstrapped a backend (run --metrics-file).
            let timer = Metrics.Timer(label: "faxintake_stage_duration_seconds", dimensions: [("stage", stage)], preferredDisplayUnit: .seconds)
            timers[stage] = timer
            return timer
        }
        timer.recordSeconds(seconds)
    }

    /// Times `body` under `stage`.
    public func measure<T, E: Error>(_ stage: String, _ body: () throws(E) -> T) throws(E) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(stage, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    public var entries: [Entry] {
        lock.withLock {
            let known = StageProfile.order.compactMap { name in totals[name].map { Entry(stage: name, count: $0.count, seconds: $0.seconds) } }
            let others = totals.keys.filter { !StageProfile.order.contains($0) }.sorted().map {
                Entry(stage: $0, count: totals[$0]!.count, seconds: totals[$0]!.seconds)
            }
            return known + others
        }
    }
}
