import CTIFF
import Foundation

/// Formats a libtiff message with its va_list and files it under the document's log.
private func tiffMessage(_ userData: UnsafeMutableRawPointer?, _ module: UnsafePointer<CChar>?, _ fmt: UnsafePointer<CChar>?, _ args: CVaListPointer?, isError: Bool) -> Int32 {
    guard let userData, let fmt, let args else { return 1 }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = vsnprintf(&buffer, buffer.count, fmt, args)
    let text = stringFromCBuffer(buffer)
    let prefix = module.map { String(cString: $0) + ": " } ?? ""
    let log = Unmanaged<DiagnosticLog>.fromOpaque(userData).takeUnretainedValue()
    if isError { log.error(prefix + text) } else { log.warning(prefix + text) }
    return 1 // handled: keep libtiff's global handler (stderr) out of it
}

private let tiffErrorHandler: TIFFErrorHandlerExtR = { _, userData, module, fmt, args in
    tiffMessage(userData, module, fmt, args, isError: true)
}
private let tiffWarningHandler: TIFFErrorHandlerExtR = { _, userData, module, fmt, args in
    tiffMessage(userData, module, fmt, args, isError: false)
}

/// Silences libtiff's process-wide handlers once; every handle gets its own through TIFFOpenOptions.
private let silenceGlobalTIFFHandlers: Void = {
    TIFFSetErrorHandler(nil)
    TIFFSetWarningHandler(nil)
}()

/// Owns one `TIFF*` and the log its handlers write to; closed in `deinit`.
final class TIFFFile {
    private let handle: OpaquePointer
    let log: DiagnosticLog
    private let logBox: Unmanaged<DiagnosticLog>
    let path: String

    init(path: String, maxSingleAllocation: Int) throws(DecodeError) {
        _ = silenceGlobalTIFFHandlers
        let log = DiagnosticLog()
        let box = Unmanaged.passRetained(log)
        guard let options = TIFFOpenOptionsAlloc() else {
            box.release()
            throw .unreadable(file: path, reason: "libtiff could not allocate options")
        }
        defer { TIFFOpenOptionsFree(options) }
        TIFFOpenOptionsSetErrorHandlerExtR(options, tiffErrorHandler, box.toOpaque())
        TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarningHandler, box.toOpaque())
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, tmsize_t(maxSingleAllocation))
        guard let tif = TIFFOpenExt(path, "r", options) else {
            box.release()
            throw .corrupt(file: path, page: 0, reason: log.firstError ?? "libtiff could not open the file")
        }
        self.handle = tif
        self.log = log
        self.logBox = box
        self.path = path
    }

    deinit {
        TIFFClose(handle)
        logBox.release()
    }

    func uint16(_ tag: UInt32, defaulted: Bool = true) -> UInt16? {
        var value: UInt16 = 0
        let ok = defaulted ? CTIFF_GetUInt16Defaulted(handle, tag, &value) : CTIFF_GetUInt16(handle, tag, &value)
        return ok == 1 ? value : nil
    }

    func uint32(_ tag: UInt32, defaulted: Bool = false) -> UInt32? {
        var value: UInt32 = 0
        let ok = defaulted ? CTIFF_GetUInt32Defaulted(handle, tag, &value) : CTIFF_GetUInt32(handle, tag, &value)
        return ok == 1 ? value : nil
    }

    func float(_ tag: UInt32) -> Float? {
        var value: Float = 0
        return CTIFF_GetFloat(handle, tag, &value) == 1 ? value : nil
    }

    func string(_ tag: UInt32) -> String? {
        var value: UnsafePointer<CChar>?
        guard CTIFF_GetString(handle, tag, &value) == 1, let value else { return nil }
        return String(cString: value)
    }

    /// Reads a G3 1-D page whose rows carry no EOL codes: libtiff 4.5's G3 decoder rejects those, but
    /// the data is plain Modified Huffman without row alignment, which its RLE codec decodes when told so.
    func treatAsModifiedHuffmanWithoutEOL() {
        _ = CTIFF_SetUInt32(handle, UInt32(TIFFTAG_COMPRESSION), UInt32(COMPRESSION_CCITTRLE))
        _ = CTIFF_SetUInt32(handle, UInt32(TIFFTAG_FAXMODE), UInt32(FAXMODE_NOEOL))
    }

    var isTiled: Bool { TIFFIsTiled(handle) != 0 }
    var stripCount: Int { Int(TIFFNumberOfStrips(handle)) }
    var stripSize: Int { Int(TIFFStripSize(handle)) }
    var scanlineSize: Int { Int(TIFFScanlineSize(handle)) }

    /// Advances to the next directory; false at the end, on an IFD loop, or on a damaged IFD.
    func readNextDirectory() -> Bool { TIFFReadDirectory(handle) == 1 }

    /// Reads one strip into `buffer`; the byte count, or nil when libtiff fails.
    func readStrip(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let n = TIFFReadEncodedStrip(handle, UInt32(index), buffer.baseAddress, tmsize_t(buffer.count))
        return n < 0 ? nil : Int(n)
    }

    /// True when libtiff's RGBA interface can decode this directory; otherwise the reason.
    func rgbaSupport() -> (Bool, String) {
        var message = [CChar](repeating: 0, count: 1024)
        let ok = TIFFRGBAImageOK(handle, &message) == 1
        return (ok, stringFromCBuffer(message))
    }

    /// Decodes the current directory to ABGR words, top row first; false on failure.
    func readRGBA(width: Int, height: Int, into raster: UnsafeMutableBufferPointer<UInt32>) -> Bool {
        TIFFReadRGBAImageOriented(handle, UInt32(width), UInt32(height), raster.baseAddress, Int32(ORIENTATION_TOPLEFT), 0) == 1
    }
}

/// A Swift string from a fixed C buffer that holds a NUL-terminated message.
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
