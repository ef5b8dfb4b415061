import Foundation
import GRDB

// The nightly report's aggregation, done by SQLite so the report never loads every item.
extension SQLiteQueueStore {
    static func reportFigures(
        _ db: Database, scope: QueryInterfaceRequest<QueueItem>, now: Date, nearHours: Double
    ) throws -> ReportFigures {
        let totals = try volumes(db, scope: scope, by: [])
        let files = try scope.select(Columns.sha256).distinct().fetchCount(db)

        let byLine = try volumes(db, scope: scope, by: [Columns.channel, Columns.faxLine]).map { row in
            ReportFigures.LineVolume(
                channel: try decodeEnum(Channel.self, "channel", row),
                faxLine: try decode(String?.self, "fax_line", row),
                documents: try decode(Int.self, "documents", row),
                pages: try decode(Int.self, "pages", row)
            )
        }
        let byRoute = try volumes(db, scope: scope, by: [Columns.route]).map { row in
            ReportFigures.RouteVolume(
                route: try decode(String.self, "route", row),
                documents: try decode(Int.self, "documents", row),
                pages: try decode(Int.self, "pages", row)
            )
        }

        let failed = scope.filter(Columns.status == ItemStatus.failed.rawValue)
        let byStage = try tally(db, failed, by: Columns.failedStage).map { row in
            ReportFigures.StageCount(
                stage: try decodeEnum(PipelineStage.self, "name", row),
                count: try decode(Int.self, "n", row)
            )
        }
        let byReason = try tally(db, failed, by: Database.jsonExtract(Columns.failure, atPath: "$.reason")).map { row in
            ReportFigures.Count(name: try decode(String.self, "name", row), count: try decode(Int.self, "n", row))
        }

        // The query interface has no table-valued functions, so json_each (one row per field of
        // each item in scope) is written as SQL; the scope itself stays a query-interface request.
        // `needsReview` is StoredField's key in the stored JSON.
        let reviewRequest: SQLRequest<Row> = """
            SELECT field.key AS name, COUNT(*) AS n
            FROM (\(scope.select(Columns.fields))) AS item, json_each(item.fields) AS field
            WHERE json_extract(field.value, '$.needsReview')
            GROUP BY field.key
            ORDER BY n DESC, name
            """
        let review = try Row.fetchAll(db, reviewRequest).map { row in
            ReportFigures.Count(name: try decode(String.self, "name", row), count: try decode(Int.self, "n", row))
        }

        // Due-by is judged on open items only: a done item's due-by no longer matters. A verified item is
        // still open: its data is checked, but Utilization Management has not acted on it yet.
        let open = scope.filter([ItemStatus.queued, .processing, .verified].map(\.rawValue).contains(Columns.status))
        let start = now.timeIntervalSinceReferenceDate
        let nearEnd = start + nearHours * 3600
        func ids(_ request: QueryInterfaceRequest<QueueItem>) throws -> [ItemID] {
            try request.select(Columns.id, as: Int64.self).order(queueOrder).fetchAll(db).map(ItemID.init)
        }
        let pastDue = try ids(open.filter(Columns.dueBy < start))
        let nearDue = try ids(open.filter(Columns.dueBy >= start && Columns.dueBy < nearEnd))

        return ReportFigures(
            documents: try decode(Int.self, "documents", totals[0]),
            files: files,
            pages: try decode(Int.self, "pages", totals[0]),
            byLine: byLine, byRoute: byRoute,
            failuresByStage: byStage, failuresByReason: byReason, fieldsNeedingReview: review,
            pastDue: pastDue, nearDue: nearDue,
            latency: try latency(db, scope: scope)
        )
    }

    /// Documents (items) and pages (each file once) per group of `keys`; one row overall when `keys` is empty.
    private static func volumes(
        _ db: Database, scope: QueryInterfaceRequest<QueueItem>, by keys: [Column]
    ) throws -> [Row] {
        // A file's requests share its pages: one row per group and file first, then sums over those.
        let perFile = CommonTableExpression<Void>(
            named: "per_file",
            request: scope
                .select(keys + [count(Columns.id).forKey("documents"), max(Columns.pageCount).forKey("pages")])
                .group(keys + [Columns.sha256])
        )
        // TOTAL, not SUM: over no rows it is 0, not NULL.
        var request = perFile.all().with(perFile)
            .select(keys + [total(Column("documents")).forKey("documents"), total(Column("pages")).forKey("pages")])
        if !keys.isEmpty {
            request = request.group(keys).order(keys)
        }
        return try Row.fetchAll(db, request)
    }

    /// Items per value of `expression` as rows (name, n), most first, then by name.
    private static func tally(
        _ db: Database, _ request: QueryInterfaceRequest<QueueItem>, by expression: some SQLExpressible
    ) throws -> [Row] {
        try Row.fetchAll(
            db,
            request
                .select(expression.sqlExpression.forKey("name"), count(Columns.id).forKey("n"))
                .group(expression)
                .order(Column("n").desc, Column("name"))
        )
    }

    /// p50, p95 and max of queued_at − received_at, reading three values rather than every item.
    private static func latency(_ db: Database, scope: QueryInterfaceRequest<QueueItem>) throws -> ReportFigures.Latency? {
        let timed = scope.filter(Columns.queuedAt != nil)
        let count = try timed.fetchCount(db)
        guard count > 0 else { return nil }
        let latency = Columns.queuedAt - Columns.receivedAt
        let sorted = timed.select(latency, as: Double.self).order(latency)
        func value(at percentile: Double) throws -> Double? {
            let index = min(count - 1, Int((percentile * Double(count - 1)).rounded()))
            return try sorted.limit(1, offset: index).fetchOne(db)
        }
        // The count and the values come from the same read transaction, so each offset exists.
        guard let p50 = try value(at: 0.5), let p95 = try value(at: 0.95), let max = try value(at: 1) else {
            return nil
        }
        return ReportFigures.Latency(p50: p50, p95: p95, max: max)
    }

    /// Key-field automation and straight-through requests, counted in SQL over each item's field JSON
    /// (json_each, a table-valued function the query interface cannot express).
    static func automation(
        _ db: Database, scope: QueryInterfaceRequest<QueueItem>, keyFields: [String], keyGroups: [String]
    ) throws -> AutomationFigures {
        let requests = try scope.fetchCount(db)
        let fieldRequest: SQLRequest<Row> = """
            SELECT COUNT(*) AS total, COALESCE(SUM(NOT json_extract(field.value, '$.needsReview')), 0) AS automated
            FROM (\(scope.select(Columns.fields))) AS item, json_each(item.fields) AS field
            WHERE field.key IN \(keyFields)
            """
        let fieldRow = try Row.fetchOne(db, fieldRequest)
        let blocked: SQLRequest<Int> = """
            SELECT COUNT(*) FROM (\(scope.select(Columns.fields, Columns.checkboxes))) AS item
            WHERE EXISTS (SELECT 1 FROM json_each(item.fields) AS field
                          WHERE field.key IN \(keyFields) AND json_extract(field.value, '$.needsReview'))
               OR EXISTS (SELECT 1 FROM json_each(item.checkboxes) AS grp
                          WHERE grp.key IN \(keyGroups) AND json_extract(grp.value, '$.needsReview'))
            """
        let blockedCount = try blocked.fetchOne(db) ?? 0
        return AutomationFigures(
            requests: requests, straightThrough: requests - blockedCount,
            keyFields: try fieldRow.map { try decode(Int.self, "total", $0) } ?? 0,
            keyFieldsAutomated: try fieldRow.map { try decode(Int.self, "automated", $0) } ?? 0)
    }
}
