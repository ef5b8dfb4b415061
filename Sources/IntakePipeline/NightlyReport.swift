import Foundation
import FormExtraction
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
    /// Key fields read without a person and requests straight through; nil when the form's field map
    /// could not be read to tell key fields from context ones.
    public var automation: AutomationFigures? = nil

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
    ///
    /// The store aggregates (`QueueStore.reportFigures`); this only names the lines and orders the rows.
    public static func build(store: any QueueStore, day: Date?, configuration: PipelineConfiguration,
                             now: Date, nearHours: Double = 24) throws(QueueStoreError) -> NightlyReport {
        var period = "all"
        var start: Date?
        var end: Date?
        if let day {
            let calendar = Calendar.current
            let dayStart = calendar.startOfDay(for: day)
            start = dayStart
            end = calendar.date(byAdding: .day, value: 1, to: dayStart)!
            let f = DateFormatter()
            f.dateFormat = "yyyy-MM-dd"
            period = f.string(from: dayStart)
        }
        let figures = try store.reportFigures(receivedFrom: start, before: end, now: now, nearHours: nearHours)
        var report = build(figures: figures, period: period, configuration: configuration, now: now, nearHours: nearHours)
        // Which fields are key is the form's business (its field map), not the store's.
        let fieldMap = URL(fileURLWithPath: configuration.formDirectory).appendingPathComponent(configuration.formName).path + ".fields.json"
        if let template = try? FormTemplate.load(fieldMap: fieldMap) {
            report.automation = try store.automation(
                receivedFrom: start, before: end,
                keyFields: template.fields.filter { $0.importance == .key }.map(\.name),
                keyGroups: template.checkboxGroups.filter { $0.importance == .key }.map(\.name))
        }
        return report
    }

    /// The report from figures already aggregated: fax numbers become configured line names.
    public static func build(figures: ReportFigures, period: String, configuration: PipelineConfiguration,
                             now: Date, nearHours: Double = 24) -> NightlyReport {
        func lineName(_ volume: ReportFigures.LineVolume) -> String {
            guard volume.channel == .fax else { return "mail" }
            guard let number = volume.faxLine else { return "fax: no number" }
            return configuration.line(forNumber: number)?.name ?? "fax: unconfigured number"
        }
        // Several spellings of one number (or several unconfigured numbers) share a name; a file has
        // one number, so summing their pages still counts each file once.
        var byLine: [String: Volume] = [:]
        for volume in figures.byLine {
            let name = lineName(volume)
            byLine[name, default: Volume(name: name, documents: 0, pages: 0)].documents += volume.documents
            byLine[name, default: Volume(name: name, documents: 0, pages: 0)].pages += volume.pages
        }
        func tally(_ counts: [(String, Int)]) -> [Tally] {
            counts.map { Tally(name: $0.0, count: $0.1) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
        }
        return NightlyReport(
            period: period, generatedAt: now, documents: figures.documents, pages: figures.pages,
            byLine: byLine.values.sorted { $0.name < $1.name },
            byRoute: figures.byRoute.map { Volume(name: $0.route, documents: $0.documents, pages: $0.pages) }
                .sorted { $0.name < $1.name },
            failuresByStage: tally(figures.failuresByStage.map { ($0.stage.rawValue, $0.count) }),
            // Reasons from the decoder and extractor name limits and stages, never field values.
            failuresByReason: tally(figures.failuresByReason.map { ($0.name, $0.count) }),
            fieldsNeedingReview: tally(figures.fieldsNeedingReview.map { ($0.name, $0.count) }),
            pastDue: figures.pastDue, nearDue: figures.nearDue, nearHours: nearHours,
            latencySeconds: figures.latency.map { Latency(p50: $0.p50, p95: $0.p95, max: $0.max) })
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
        if let a = automation {
            out += ["", "key fields automated: \(a.keyFieldsAutomated) of \(a.keyFields) (\(Self.percent(a.keyFieldsAutomated, a.keyFields)))",
                    "straight through: \(a.straightThrough) of \(a.requests) requests (\(Self.percent(a.straightThrough, a.requests)))"]
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
        if let a = automation {
            rows += ["automation,key_fields,,,\(a.keyFields)", "automation,key_fields_automated,,,\(a.keyFieldsAutomated)",
                     "automation,requests,,,\(a.requests)", "automation,straight_through,,,\(a.straightThrough)"]
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
        if let a = automation {
            body += "<h2>Automation</h2><p>key fields automated: \(a.keyFieldsAutomated) of \(a.keyFields) (\(Self.percent(a.keyFieldsAutomated, a.keyFields))); "
                + "straight through: \(a.straightThrough) of \(a.requests) requests (\(Self.percent(a.straightThrough, a.requests)))</p>"
        }
        return """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>FaxIntake report \(esc(period))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style>
            </head><body>\(body)</body></html>
            """
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "-" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
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
