import FaxImaging
import Foundation

/// The content-addressed store of every original received: `<archive>/<sha[0..2]>/<sha>.<ext>`.
///
/// FaxIntake only adds here; nothing in it is ever deleted by the program.
public struct OriginalArchive: Sendable {
    public let root: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    /// Creates the archive folder and clears partial writes left by a process that was killed mid-copy.
    @discardableResult
    public func prepare() throws(PipelineError) -> Int {
        try OwnerOnlyFiles.makeDirectory(root)
        return removeAbandonedPartialWrites()
    }

    /// Removes `.tmp-<pid>-…` files whose writer no longer runs. They never had an archive name: the
    /// original is still in the spool and will be archived again, so this deletes no archived document,
    /// only a stray partial copy of PHI.
    func removeAbandonedPartialWrites() -> Int {
        var removed = 0
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for shard in shards where shard.count == 2 {
            let folder = "\(root)/\(shard)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".tmp-") {
                let parts = name.split(separator: "-")
                guard parts.count >= 3, let pid = pid_t(parts[1]) else { continue }
                // A live writer (another daemon on the same archive) keeps its file.
                if kill(pid, 0) == 0 || errno != ESRCH { continue }
                if unlink("\(folder)/\(name)") == 0 { removed += 1 }
            }
        }
        return removed
    }

    public func path(sha256: String, extension ext: String) -> String {
        "\(root)/\(sha256.prefix(2))/\(sha256).\(ext)"
    }

    /// The extension an original is archived under, from its content, so a misnamed file is stored honestly.
    public static func fileExtension(for data: Data) -> String {
        switch DocumentFormat.sniff([UInt8](data.prefix(1024))) {
        case .tiff: return "tif"
        case .pdf: return "pdf"
        case nil: return "bin"
        }
    }

    /// Stores the original (and its sidecar) durably; returns the original's archive path.
    @discardableResult
    public func store(original data: Data, sha256: String, sidecar: Data?) throws(PipelineError) -> String {
        try OwnerOnlyFiles.makeDirectory(root)
        try OwnerOnlyFiles.makeDirectory("\(root)/\(sha256.prefix(2))")
        let target = path(sha256: sha256, extension: Self.fileExtension(for: data))
        // Same name means same bytes: an earlier run already archived it.
        if !FileManager.default.fileExists(atPath: target) {
            try OwnerOnlyFiles.writeAtomically(data, to: target)
        }
        if let sidecar {
            let sidecarTarget = path(sha256: sha256, extension: "json")
            if !FileManager.default.fileExists(atPath: sidecarTarget) {
                try OwnerOnlyFiles.writeAtomically(sidecar, to: sidecarTarget)
            }
        }
        return target
    }

    /// The archived sidecar of an original, if one was received with it.
    public func sidecar(sha256: String) -> FaxSidecar? {
        let p = path(sha256: sha256, extension: "json")
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        return try? FaxSidecar.load(path: p)
    }
}
