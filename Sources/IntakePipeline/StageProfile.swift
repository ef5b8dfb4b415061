import Foundation
import Metrics
import Synchronization

/// Time spent per stage across a run: where the time goes, for the benchmark and the run summary.
///
public final class StageProfile: Sendable {
    /// One stage's total.
    public struct Entry: Sendable, Codable, Equatable {
        public var stage: String
        public var count: Int
        public var seconds: Double
    }

    /// The stages in pipeline order, for printing.
    public static let order = ["decode", "classify", "register", "ocr", "validate+route", "commit"]

    /// Totals and the exported timer per stage; workers on several queues add to them.
    private struct Totals {
        var byStage: [String: (count: Int, seconds: Double)] = [:]
        var timers: [String: Metrics.Timer] = [:]
    }
    private let totals = Mutex(Totals())

    public init() {}

    public func add(_ stage: String, seconds: Double, count: Int = 1) {
        let timer = totals.withLock { totals -> Metrics.Timer in
            let old = totals.byStage[stage] ?? (0, 0)
            totals.byStage[stage] = (old.count + count, old.seconds + seconds)
            if let timer = totals.timers[stage] { return timer }
            // Exported through swift-metrics; a no-op unless the process bootstrapped a backend (run --metrics-file).
            let timer = Metrics.Timer(label: "faxintake_stage_duration_seconds", dimensions: [("stage", stage)], preferredDisplayUnit: .seconds)
            totals.timers[stage] = timer
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
        totals.withLock { totals in
            let byStage = totals.byStage
            let known = StageProfile.order.compactMap { name in byStage[name].map { Entry(stage: name, count: $0.count, seconds: $0.seconds) } }
            let others = byStage.keys.filter { !StageProfile.order.contains($0) }.sorted().map {
                Entry(stage: $0, count: byStage[$0]!.count, seconds: byStage[$0]!.seconds)
            }
            return known + others
        }
    }
}
