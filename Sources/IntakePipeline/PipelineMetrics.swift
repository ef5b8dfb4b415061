import Metrics

/// The pipeline's counters and gauges, through swift-metrics: counts only, never PHI.
///
/// They cost nothing until a backend is bootstrapped (`faxintake run --metrics-file`).
struct PipelineMetrics: Sendable {
    private let queued = Counter(label: "faxintake_documents_total", dimensions: [("outcome", "queued")])
    private let failed = Counter(label: "faxintake_documents_total", dimensions: [("outcome", "failed")])
    private let alreadyPresent = Counter(label: "faxintake_documents_total", dimensions: [("outcome", "already_present")])
    private let leftInSpool = Counter(label: "faxintake_documents_total", dimensions: [("outcome", "left_in_spool")])
    private let possibleDuplicates = Counter(label: "faxintake_possible_duplicates_total")
    private let retries = Counter(label: "faxintake_retries_total")
    private let pages = Counter(label: "faxintake_pages_total")
    private let inFlight = Gauge(label: "faxintake_documents_in_flight")

    /// Adds what changed between two snapshots of the run's totals.
    func record(from old: RunCounts, to new: RunCounts) {
        func bump(_ counter: Counter, _ delta: Int) { if delta > 0 { counter.increment(by: delta) } }
        bump(queued, new.queued - old.queued)
        bump(failed, new.failed - old.failed)
        bump(alreadyPresent, new.alreadyPresent - old.alreadyPresent)
        bump(leftInSpool, new.leftInSpool - old.leftInSpool)
        bump(possibleDuplicates, new.possibleDuplicates - old.possibleDuplicates)
        bump(retries, new.retried - old.retried)
        bump(pages, new.pages - old.pages)
        if new.inFlight != old.inFlight { inFlight.record(new.inFlight) }
    }
}
