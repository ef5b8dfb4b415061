import Dispatch
import Foundation
import Metrics
import Prometheus

/// Writes the process's metrics in Prometheus text format to a file, for node_exporter's textfile
/// collector: a daemon beside a fax server needs no listening port to be watched.
///
/// Not `Sendable`: the command that makes it also finishes it; only the timer's queue writes meanwhile.
final class MetricsFile {
    private let path: String
    private let registry: PrometheusCollectorRegistry
    private let timer: DispatchSourceTimer

    /// Bootstraps swift-metrics with a Prometheus registry; call once, before the pipeline starts.
    init(path: String, every seconds: Double) {
        self.path = path
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "faxintake.metrics"))
        timer.schedule(deadline: .now() + seconds, repeating: seconds)
        timer.setEventHandler { [path, registry] in MetricsFile.write(registry, to: path) }
        timer.resume()
    }

    /// Writes a last time and stops.
    func finish() {
        timer.cancel()
        MetricsFile.write(registry, to: path)
    }

    /// Replaces the file atomically, so a collector never reads half of it.
    private static func write(_ registry: PrometheusCollectorRegistry, to path: String) {
        let temporary = path + ".tmp"
        let bytes = registry.emitToBuffer()
        // Counts only, no PHI; owner-only like everything FaxIntake writes.
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else { return }
        _ = rename(temporary, path)
    }
}
