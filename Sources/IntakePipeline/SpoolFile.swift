import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a spooled file could not be read; the message says what to fix.
public struct SpoolReadError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Reads spooled files without following symlinks or blocking on FIFOs.
///
/// The scanner refuses symlinks with `lstat`, but the name can be swapped for a symlink (to /etc/shadow,
/// say) between that look and the read; `O_NOFOLLOW` on the read itself closes that window, and
/// `O_NONBLOCK` plus the `fstat` check keeps a FIFO swapped in from hanging a worker for ever.
enum SpoolFile {
    /// When the file was last written: a fax's received-at when its sidecar does not say.
    static func modificationTime(_ path: String) -> Date? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    static func read(_ path: String) throws(SpoolReadError) -> Data {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP {
                throw SpoolReadError(reason: "it is a symlink, which is refused; drop the file itself into the spool")
            }
            if code == EACCES || code == EPERM {
                throw SpoolReadError(reason: "permission denied; give the FaxIntake user read access to the file (it is retried on the next scan)")
            }
            throw SpoolReadError(reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SpoolReadError(reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SpoolReadError(reason: "it is not a regular file, which is refused")
        }
        var data = Data(capacity: Int(info.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw SpoolReadError(reason: "read failed (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }
}
