import Foundation
import IntakeQueue

/// The daily operations report: volumes, failures, review load, due dates and latency. Counts only: no PHI.
public struct NightlyReport: Sendable, Codable, Equatable {
    /// The day reported (`yyyy-MM-dd`, local time), or "all".
    public var period: String
    public var generatedAt: Date
    public var documents: Int
    public var pages: Int
    public var byLine: [Volume]
    public var byRoute: [Volume]
    public var failuresByStage: [Tally]
    public var failuresByReason: [Tally]
    public var fieldsNeedingReview: [Tally]
    /// Queued items whose due-by has passed, and those due within `nearHours`.
    public var pastDue: [ItemID]
    public var nearDue: [ItemID]
    public var nearHours: Double
    public var latencySeconds: Latency?

    /// Documents and pages in one group.
    public struct Volume: Sendable, Codable, Equatable {
        public var name: String
        public var documents: Int
        public var pages: Int
    }

    /// A count under a label.
    public struct Tally: Sendable, Codable, Equatable {
        public var name: String
        public var count: Int
    }

    /// Received → queued, in seconds.
    public struct Latency: Sendable, Codable, Equatable {
        public var p50: Double
        public var p95: Double
        public var max: Double
    }

    /// Builds the report from items received on `day` (local calendar day), or all items when nil.
    public static func build(items all: [QueueItem], day: Date?, configuration: PipelineConfiguration,
                             now: Date, nearHours: Double = 24) -> NightlyReport {
        var items = all
        var period = "all"
        if let day {
            let calendar = Calendar.current
            let start = calendar.startOfDay(for: day)
            let end = calendar.date(byAdding: .day, value: 1, to: start)!
            items = all.filter { $0.receivedAt >= start && $0.receivedAt < end }
            let f = DateFormatter()
            f.dateFormat = "yyyy-MM-dd"
            period = f.string(from: start)
        }
        func volumes(_ key: (QueueItem) -> String) -> [Volume] {
            Dictionary(grouping: items, by: key).map { Volume(name: $0.key, documents: $0.value.count, pages: $0.value.reduce(0) { $0 + $1.pageCount }) }
                .sorted { $0.name < $1.name }
        }
        func tally(_ names: [String]) -> [Tally] {
            Dictionary(grouping: names, by: { $0 }).map { Tally(name: $0.key, count: $0.value.count) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
        }
        let lineName: (QueueItem) -> String = { item in
            guard item.channel == .fax else { return "mail" }
            guard let number = item.faxLine else { return "fax: no number" }
            return configuration.line(forNumber: number)?.name ?? "fax: unconfigured number"
        }
        let failed = items.filter { $0.status == .failed }
        let latencies = items.compactMap { item in item.queuedAt.map { $0.timeIntervalSince(item.receivedAt) } }.sorted()
        func percentile(_ p: Double) -> Double {
            latencies[min(latencies.count - 1, Int((p * Double(latencies.count - 1)).rounded()))]
        }
        let open = items.filter { $0.status == .queued || $0.status == .processing }
        return NightlyReport(
            period: period, generatedAt: now, documents: items.count, pages: items.reduce(0) { $0 + $1.pageCount },
            byLine: volumes(lineName), byRoute: volumes(\.route),
            failuresByStage: tally(failed.compactMap { $0.failure?.stage }),
            // Reasons from the decoder and extractor name limits and stages, never field values.
            failuresByReason: tally(failed.compactMap { $0.failure?.reason }),
            fieldsNeedingReview: tally(items.flatMap { $0.fields.filter { $0.value.needsReview }.map(\.key) }),
            pastDue: open.filter { ($0.dueBy ?? .distantFuture) < now }.map(\.id),
            nearDue: open.filter { guard let due = $0.dueBy else { return false }; return due >= now && due < now + nearHours * 3600 }.map(\.id),
            nearHours: nearHours,
            latencySeconds: latencies.isEmpty ? nil : Latency(p50: percentile(0.5), p95: percentile(0.95), max: latencies.last!))
    }

    // MARK: Formats

    public func text() -> String {
        var out = ["FaxIntake report — \(period)", "documents: \(documents)   pages: \(pages)", "", "by line:"]
        out += byLine.map { "  \($0.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.documents) documents, \($0.pages) pages" }
        out += ["", "by route:"]
        out += byRoute.map { "  \($0.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.documents) documents, \($0.pages) pages" }
        out += ["", "failures by stage:"] + (failuresByStage.isEmpty ? ["  none"] : failuresByStage.map { "  \($0.name): \($0.count)" })
        out += ["", "failures by reason:"] + (failuresByReason.isEmpty ? ["  none"] : failuresByReason.map { "  \($0.count) × \($0.name)" })
        out += ["", "fields needing review:"] + (fieldsNeedingReview.isEmpty ? ["  none"] : fieldsNeedingReview.map { "  \($0.name): \($0.count)" })
        out += ["", "past due-by: \(pastDue.count)\(pastDue.isEmpty ? "" : " (items \(pastDue.map(\.description).joined(separator: ", ")))")",
                "due within \(Int(nearHours))h: \(nearDue.count)"]
        if let l = latencySeconds {
            out.append("latency received→queued: p50 \(Self.duration(l.p50)), p95 \(Self.duration(l.p95)), max \(Self.duration(l.max))")
        } else {
            out.append("latency received→queued: no queued items")
        }
        return out.joined(separator: "\n")
    }

    public func csv() -> String {
        var rows = ["section,name,documents,pages,count"]
        rows.append("total,all,\(documents),\(pages),")
        rows += byLine.map { "line,\(Self.csvField($0.name)),\($0.documents),\($0.pages)," }
        rows += byRoute.map { "route,\(Self.csvField($0.name)),\($0.documents),\($0.pages)," }
        rows += failuresByStage.map { "failure_stage,\(Self.csvField($0.name)),,,\($0.count)" }
        rows += failuresByReason.map { "failure_reason,\(Self.csvField($0.name)),,,\($0.count)" }
        rows += fieldsNeedingReview.map { "review_field,\(Self.csvField($0.name)),,,\($0.count)" }
        rows.append("due,past,,,\(pastDue.count)")
        rows.append("due,near,,,\(nearDue.count)")
        if let l = latencySeconds {
            rows += ["latency_s,p50,,,\(l.p50)", "latency_s,p95,,,\(l.p95)", "latency_s,max,,,\(l.max)"]
        }
        return rows.joined(separator: "\n")
    }

    /// One self-contained page with inline SVG bar charts; no scripts, no external resources.
    public func html() -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func chart(_ title: String, _ bars: [(String, Int)]) -> String {
            let maxValue = max(1, bars.map(\.1).max() ?? 1)
            let rowHeight = 24, width = 520, labelWidth = 200
            var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(max(1, bars.count) * rowHeight + 10)\" role=\"img\" aria-label=\"\(esc(title))\">"
            for (i, bar) in bars.enumerated() {
                let y = i * rowHeight + 5
                let w = Int(Double(width - labelWidth - 50) * Double(bar.1) / Double(maxValue))
                svg += "<text x=\"0\" y=\"\(y + 16)\" font-size=\"13\">\(esc(bar.0))</text>"
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"16\" fill=\"#3b6ea5\"/>"
                svg += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\" font-size=\"13\">\(bar.1)</text>"
            }
            return "<h2>\(esc(title))</h2>" + svg + "</svg>"
        }
        func table(_ title: String, _ rows: [Tally]) -> String {
            "<h2>\(esc(title))</h2>" + (rows.isEmpty ? "<p>none</p>" :
                "<table><tr><th>name</th><th>count</th></tr>" + rows.map { "<tr><td>\(esc($0.name))</td><td>\($0.count)</td></tr>" }.joined() + "</table>")
        }
        var body = "<h1>FaxIntake report — \(esc(period))</h1><p>\(documents) documents, \(pages) pages.</p>"
        body += chart("Pages by line", byLine.map { ($0.name, $0.pages) })
        body += chart("Documents by route", byRoute.map { ($0.name, $0.documents) })
        body += table("Failures by stage", failuresByStage) + table("Failures by reason", failuresByReason)
        body += table("Fields needing review", fieldsNeedingReview)
        body += "<h2>Due-by</h2><p>past due: \(pastDue.count); due within \(Int(nearHours))h: \(nearDue.count)</p>"
        if let l = latencySeconds {
            body += "<h2>Latency received → queued</h2><p>p50 \(Self.duration(l.p50)), p95 \(Self.duration(l.p95)), max \(Self.duration(l.max))</p>"
        }
        return """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>FaxIntake report \(esc(period))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style>
            </head><body>\(body)</body></html>
            """
    }

    static func duration(_ seconds: Double) -> String {
        let s = abs(seconds), sign = seconds < 0 ? "-" : ""
        if s < 120 { return "\(sign)\(Int(s))s" }
        if s < 7200 { return "\(sign)\(Int(s / 60))m" }
        if s < 172_800 { return "\(sign)\(String(format: "%.1f", s / 3600))h" }
        return "\(sign)\(String(format: "%.1f", s / 86_400))d"
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
