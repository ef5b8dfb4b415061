import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Creates folders and files that only the owner can read: everything FaxIntake writes may hold PHI.
enum OwnerOnlyFiles {
    static func makeDirectory(_ path: String) throws(PipelineError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .folder(path: path, reason: "exists but is not a folder; move it away or choose another path in the pipeline file")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .folder(path: path, reason: "cannot create the folder (\(error.localizedDescription)); check the parent's owner and permissions")
        }
        // The umask may have narrowed or the intermediate folders kept defaults; set the leaf exactly.
        chmod(path, 0o700)
    }

    /// Writes `data` to `path` atomically: a temp file in the same folder, fsync, rename, fsync the folder.
    static func writeAtomically(_ data: Data, to path: String) throws(PipelineError) {
        let folder = (path as NSString).deletingLastPathComponent
        let temp = folder + "/.tmp-\(getpid())-\(UUID().uuidString)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .folder(path: temp, reason: "cannot create (\(errnoText()))") }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed (\(errnoText()))"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync failed (\(errnoText()))" }
        close(fd)
        if failure == nil, rename(temp, path) != 0 { failure = "rename failed (\(errnoText()))" }
        if let failure {
            unlink(temp)
            throw .folder(path: path, reason: failure)
        }
        let dirFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
