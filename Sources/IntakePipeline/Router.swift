import FaxImaging
import Foundation
import IntakeQueue

/// Where the number a fax was sent to came from (the README's spool contract lists them in this order).
public enum LineSource: String, Sendable, Equatable, Codable {
    case sidecar
    case folder
    case filename
    case callID = "callid"
    /// Reprocessing: the number recorded when the fax was first taken (from its folder or name).
    case recorded
    /// Nothing said: the fax goes to the unrouted queue; mail-room scans have no line.
    case none
}

/// The fax line a document arrived on, and how that was found out.
public struct LineResolution: Sendable, Equatable {
    /// The configured line, when the number dialled is one of them.
    public var line: FaxLine?
    /// The number dialled as found, configured or not.
    public var dialled: String?
    public var source: LineSource

    /// No line: a mail-room scan, or a fax nothing tells the number of.
    public static let none = LineResolution(line: nil, dialled: nil, source: .none)
}

/// Works out which line a fax was sent to, and which queue a document belongs on.
public struct Router: Sendable {
    public let configuration: PipelineConfiguration

    public init(configuration: PipelineConfiguration) {
        self.configuration = configuration
    }

    /// The first present of: sidecar called_number, per-line subfolder, file-name pattern; `.none` when
    /// none is (the TIFF's CallID lines are looked at once it is decoded).
    public func resolveLine(calledNumber: String?, lineFolder: String?, fileName: String) -> LineResolution {
        if let number = calledNumber, !FaxLine.digits(of: number).isEmpty {
            return LineResolution(line: configuration.line(forNumber: number), dialled: number, source: .sidecar)
        }
        if let folder = lineFolder {
            return LineResolution(line: lineByNameOrNumber(folder), dialled: folder, source: .folder)
        }
        if let pattern = configuration.filenamePattern, let token = Self.match(pattern, in: fileName) {
            return LineResolution(line: lineByNameOrNumber(token), dialled: token, source: .filename)
        }
        return .none
    }

    /// The line of a number or line name recorded on an item when it was first taken.
    public func recordedLine(_ token: String) -> LineResolution {
        LineResolution(line: lineByNameOrNumber(token), dialled: token, source: .recorded)
    }

    /// The CallID naming a configured line wins; otherwise the last one (HylaFAX puts the dialled number last).
    public func resolveLine(callIDs: [String]) -> LineResolution {
        for id in callIDs.reversed() {
            if let line = configuration.line(forNumber: id) {
                return LineResolution(line: line, dialled: id, source: .callID)
            }
        }
        if let last = callIDs.last(where: { !FaxLine.digits(of: $0).isEmpty }) {
            return LineResolution(line: nil, dialled: last, source: .callID)
        }
        return .none
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

    public func route(channel: Channel, line: LineResolution, requestTypes selected: [String]) -> Decision {
        switch channel {
        case .fax:
            guard let line = line.line else {
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
