import FaxImaging
import Foundation
import IntakeQueue

/// The fax line a document arrived on, and how that was found out.
public struct LineResolution: Sendable, Equatable {
    /// The configured line, when the number dialled is one of them.
    public var line: FaxLine?
    /// The number dialled as found, configured or not.
    public var dialled: String?
    /// "sidecar", "folder", "filename", "callid", or "none".
    public var source: String
}

/// Works out which line a fax was sent to, and which queue a document belongs on.
public struct Router: Sendable {
    public let configuration: PipelineConfiguration

    public init(configuration: PipelineConfiguration) {
        self.configuration = configuration
    }

    /// The first present of: sidecar called_number, per-line subfolder, file-name pattern, TIFF CallID lines.
    public func resolveLine(entry: SpoolEntry, sidecar: FaxSidecar?, fax: FaxMetadata?) -> LineResolution {
        if let number = sidecar?.calledNumber, !FaxLine.digits(of: number).isEmpty {
            return LineResolution(line: configuration.line(forNumber: number), dialled: number, source: "sidecar")
        }
        if let folder = entry.lineFolder {
            return LineResolution(line: lineByNameOrNumber(folder), dialled: folder, source: "folder")
        }
        if let pattern = configuration.filenamePattern, let token = Self.match(pattern, in: entry.fileName) {
            return LineResolution(line: lineByNameOrNumber(token), dialled: token, source: "filename")
        }
        return resolveLine(callIDs: fax?.callIDs ?? [])
    }

    /// The CallID naming a configured line wins; otherwise the last one (HylaFAX puts the dialled number last).
    public func resolveLine(callIDs: [String]) -> LineResolution {
        for id in callIDs.reversed() {
            if let line = configuration.line(forNumber: id) {
                return LineResolution(line: line, dialled: id, source: "callid")
            }
        }
        if let last = callIDs.last(where: { !FaxLine.digits(of: $0).isEmpty }) {
            return LineResolution(line: nil, dialled: last, source: "callid")
        }
        return LineResolution(line: nil, dialled: nil, source: "none")
    }

    private func lineByNameOrNumber(_ token: String) -> FaxLine? {
        configuration.line(named: token) ?? configuration.line(forNumber: token)
    }

    private static func match(_ pattern: String, in name: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) else { return nil }
        let range = m.range(withName: "line")
        guard range.location != NSNotFound, let r = Range(range, in: name) else { return nil }
        return String(name[r])
    }

    /// The queue a document goes to and the flags that explain any doubt about it.
    public struct Decision: Sendable, Equatable {
        public var route: String
        public var flags: [ItemFlag]
    }

    public func route(channel: Channel, line: LineResolution?, requestTypes selected: [String]) -> Decision {
        switch channel {
        case .fax:
            guard let line = line?.line else {
                return Decision(route: configuration.unroutedQueue, flags: [.unknownLine])
            }
            guard !selected.isEmpty, !line.requestTypes.isEmpty,
                  selected.contains(where: { !line.requestTypes.contains($0) }) else {
                return Decision(route: line.route, flags: [])
            }
            switch configuration.conflictPolicy {
            case .line:
                return Decision(route: line.route, flags: [.routeConflict])
            case .requestType:
                let routes = Set(selected.compactMap { configuration.requestTypeRoutes[$0] })
                return Decision(route: routes.count == 1 ? routes.first! : line.route, flags: [.routeConflict])
            }
        case .mail:
            let routes = Set(selected.compactMap { configuration.requestTypeRoutes[$0] })
            if routes.count == 1, let only = routes.first { return Decision(route: only, flags: []) }
            return Decision(route: configuration.unroutedQueue, flags: [])
        }
    }
}
