import Foundation
import IntakeQueue

#if canImport(Glibc)
import Glibc
#endif

/// One candidate document in the spool, with the companion files the fax server may have written.
public struct SpoolEntry: Sendable, Hashable {
    /// Absolute path of the document.
    public var path: String
    public var channel: Channel
    /// The `<spool>/fax/<line-name>/` folder it sits in, if any.
    public var lineFolder: String?
    /// `NAME.json` beside the document, when present.
    public var sidecarPath: String?
    /// `NAME.done` beside the document, when present.
    public var markerPath: String?

    public var fileName: String { URL(fileURLWithPath: path).lastPathComponent }

    /// Where a sidecar or marker for this document would be, present or not.
    var companionBase: String { URL(fileURLWithPath: path).deletingPathExtension().path }
}

/// The fax server's sidecar `NAME.json`: every key optional.
public struct FaxSidecar: Sendable, Equatable, Decodable {
    public var calledNumber: String?
    public var callerNumber: String?
    public var stationID: String?
    public var receivedAt: Date?
    public var pages: Int?

    enum CodingKeys: String, CodingKey {
        case calledNumber = "called_number", callerNumber = "caller_number", stationID = "station_id"
        case receivedAt = "received_at", pages
    }

    public init(calledNumber: String? = nil, callerNumber: String? = nil, stationID: String? = nil,
                receivedAt: Date? = nil, pages: Int? = nil) {
        self.calledNumber = calledNumber
        self.callerNumber = callerNumber
        self.stationID = stationID
        self.receivedAt = receivedAt
        self.pages = pages
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calledNumber = try Self.text(c, .calledNumber)
        callerNumber = try Self.text(c, .callerNumber)
        stationID = try Self.text(c, .stationID)
        pages = try c.decodeIfPresent(Int.self, forKey: .pages)
        if let raw = try c.decodeIfPresent(String.self, forKey: .receivedAt) {
            guard let date = Self.parseDate(raw) else {
                throw DecodingError.dataCorruptedError(forKey: .receivedAt, in: c, debugDescription: "received_at is not an ISO 8601 date-time")
            }
            receivedAt = date
        }
    }

    /// Fax servers write numbers as strings or bare integers; both are accepted.
    private static func text(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String? {
        if let s = try? c.decodeIfPresent(String.self, forKey: key) { return s }
        if let n = try? c.decodeIfPresent(Int64.self, forKey: key) { return String(n) }
        return nil
    }

    static func parseDate(_ raw: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let d = full.date(from: raw) { return d }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return full.date(from: raw)
    }

    /// Reads a sidecar; an unreadable or malformed one is reported, not ignored, by the caller.
    public static func load(path: String) throws(StageFailure) -> FaxSidecar {
        let data: Data
        do { data = try SpoolFile.read(path) } catch {
            throw StageFailure(stage: .intake, reason: "cannot read the sidecar \(URL(fileURLWithPath: path).lastPathComponent): \(error.reason)", permanent: false)
        }
        return try parse(data, name: URL(fileURLWithPath: path).lastPathComponent)
    }

    /// Parses a sidecar's bytes, already read; `name` is for the message.
    public static func parse(_ data: Data, name: String) throws(StageFailure) -> FaxSidecar {
        do { return try JSONDecoder().decode(FaxSidecar.self, from: data) } catch {
            throw StageFailure(stage: .intake, reason: "the sidecar \(name) is not valid (\(Self.describe(error)))", permanent: true)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.typeMismatch(_, let context) = error {
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        }
        return "not a JSON object"
    }
}

/// Lists the documents waiting in `<spool>/fax/` (and its per-line subfolders) and `<spool>/mail/`.
public struct SpoolScanner: Sendable {
    public let spool: String

    public init(spool: String) {
        self.spool = URL(fileURLWithPath: spool).standardizedFileURL.path
    }

    public var faxFolder: String { spool + "/fax" }
    public var mailFolder: String { spool + "/mail" }

    /// Creates the inbound folders owner-only if they are missing.
    public func prepare() throws(PipelineError) {
        for folder in [spool, faxFolder, mailFolder] {
            try OwnerOnlyFiles.makeDirectory(folder)
        }
    }

    /// Folders to watch: the two inbound folders and every per-line subfolder of fax/.
    public func watchedFolders() -> [String] {
        var folders = [faxFolder, mailFolder]
        for name in Self.list(faxFolder) where !name.hasPrefix(".") {
            let path = faxFolder + "/" + name
            if isPlainDirectory(path) { folders.append(path) }
        }
        return folders
    }

    /// A spool entry that is never taken, and why; reported so it does not sit in the spool silently.
    public struct Refusal: Sendable, Hashable {
        public var path: String
        public var reason: String
    }

    /// Every candidate document, sorted by path so runs are reproducible.
    public func scan() -> [SpoolEntry] {
        scanWithRefusals().entries
    }

    /// Candidate documents, plus the symlinks and other non-files that are refused.
    public func scanWithRefusals() -> (entries: [SpoolEntry], refused: [Refusal]) {
        var entries: [SpoolEntry] = []
        var refused: [Refusal] = []
        collect(in: faxFolder, channel: .fax, lineFolder: nil, into: &entries, refused: &refused, descend: true)
        collect(in: mailFolder, channel: .mail, lineFolder: nil, into: &entries, refused: &refused, descend: false)
        return (entries.sorted { $0.path < $1.path }, refused.sorted { $0.path < $1.path })
    }

    private func collect(in folder: String, channel: Channel, lineFolder: String?, into entries: inout [SpoolEntry],
                         refused: inout [Refusal], descend: Bool) {
        // An array, not a Set: names that differ only in Unicode normalisation are equal Strings but
        // different files, and a Set would silently drop one of them.
        let listing = Self.listing(folder)
        for raw in listing.undecodable {
            refused.append(Refusal(path: folder + "/" + raw, reason: "the file name is not valid UTF-8; rename it (it is never taken as it is)"))
        }
        let names = listing.names
        for name in names.sorted() {
            let path = folder + "/" + name
            guard Self.isCandidateName(name) else { continue }
            var info = stat()
            // lstat, not stat: a symlink could point anywhere, so it is never followed.
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK {
                refused.append(Refusal(path: path, reason: "a symlink; drop the file itself, not a link to it"))
                continue
            }
            guard isInsideSpool(path) else {
                refused.append(Refusal(path: path, reason: "its real path leaves the spool"))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR where descend:
                collect(in: path, channel: channel, lineFolder: name, into: &entries, refused: &refused, descend: false)
            case S_IFDIR:
                refused.append(Refusal(path: path, reason: "a folder nested too deep; per-line folders are one level under fax/"))
            case S_IFREG:
                let base = (name as NSString).deletingPathExtension
                let sidecar = names.contains(base + ".json") ? folder + "/" + base + ".json" : nil
                let marker = names.contains(base + ".done") ? folder + "/" + base + ".done" : nil
                entries.append(SpoolEntry(path: path, channel: channel, lineFolder: lineFolder,
                                          sidecarPath: sidecar.flatMap { isRegularFile($0) ? $0 : nil },
                                          markerPath: marker.flatMap { isRegularFile($0) ? $0 : nil }))
            default:
                refused.append(Refusal(path: path, reason: "not a regular file (a FIFO, socket or device)"))
            }
        }
    }

    /// Names the fax server uses while writing, hidden files, and the companions themselves are not documents.
    public static func isCandidateName(_ name: String) -> Bool {
        if name.hasPrefix(".") { return false }
        let lower = name.lowercased()
        for suffix in [".tmp", ".part", ".filepart", ".json", ".done"] where lower.hasSuffix(suffix) { return false }
        return true
    }

    /// Refuses anything whose real path leaves the spool (a `..` or a symlinked parent).
    func isInsideSpool(_ path: String) -> Bool {
        guard !path.split(separator: "/").contains("..") else { return false }
        guard let real = realpath(path, nil) else { return false }
        defer { free(real) }
        guard let root = realpath(spool, nil) else { return false }
        defer { free(root) }
        let r = String(cString: real), s = String(cString: root)
        return r.hasPrefix(s + "/")
    }

    private func isPlainDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && isInsideSpool(path)
    }

    private func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    static func list(_ folder: String) -> [String] {
        listing(folder).names
    }

    /// The folder's entries; names that are not valid UTF-8 come back apart (with U+FFFD for the bad bytes)
    /// because no String path could open them, and FileManager would drop them without a word.
    static func listing(_ folder: String) -> (names: [String], undecodable: [String]) {
        guard let dir = opendir(folder) else { return ([], []) }
        defer { closedir(dir) }
        var names: [String] = [], undecodable: [String] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == Array(".".utf8) || bytes == Array("..".utf8) { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                names.append(name)
            } else {
                undecodable.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        return (names, undecodable)
    }
}
