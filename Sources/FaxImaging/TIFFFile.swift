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

/// The bytes a `TIFF*` reads through its client procs: one owned copy, so that the pointer libtiff maps
/// stays valid for the handle's whole life whatever the caller does with its `Data` afterwards.
private final class TIFFMemorySource {
    let bytes: UnsafeMutableRawBufferPointer
    let count: Int
    /// Where the next read starts; libtiff may seek past the end, where reads give 0 bytes.
    var offset = 0

    init(_ data: Data) {
        // At least one byte, so the allocation (and the base address libtiff maps) is never nil.
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        data.copyBytes(to: bytes)
        self.bytes = bytes
        self.count = data.count
    }

    deinit { bytes.deallocate() }

    static func from(_ handle: thandle_t?) -> TIFFMemorySource {
        Unmanaged<TIFFMemorySource>.fromOpaque(handle!).takeUnretainedValue()
    }
}

// The client procs: libtiff reads, seeks and maps the in-memory copy instead of a file descriptor.
private let tiffReadProc: TIFFReadWriteProc = { handle, buffer, size in
    let source = TIFFMemorySource.from(handle)
    guard let buffer, size > 0, source.offset < source.count else { return 0 }
    let n = min(Int(size), source.count - source.offset)
    buffer.copyMemory(from: source.bytes.baseAddress! + source.offset, byteCount: n)
    source.offset += n
    return tmsize_t(n)
}
private let tiffWriteProc: TIFFReadWriteProc = { _, _, _ in
    -1 // opened read-only
}
private let tiffSeekProc: TIFFSeekProc = { handle, offset, whence in
    let source = TIFFMemorySource.from(handle)
    let base: Int
    switch whence {
    case SEEK_SET: base = 0
    case SEEK_CUR: base = source.offset
    case SEEK_END: base = source.count
    default: return toff_t.max
    }
    // Offsets come from the file's own fields: refuse any that do not land in 0...Int.max.
    guard offset <= toff_t(Int.max) else { return toff_t.max }
    let (target, overflow) = base.addingReportingOverflow(Int(offset))
    guard !overflow, target >= 0 else { return toff_t.max }
    source.offset = target
    return toff_t(target)
}
private let tiffCloseProc: TIFFCloseProc = { _ in
    0 // the TIFFFile frees the copy after TIFFClose
}
private let tiffSizeProc: TIFFSizeProc = { handle in
    toff_t(TIFFMemorySource.from(handle).count)
}
private let tiffMapProc: TIFFMapFileProc = { handle, base, size in
    let source = TIFFMemorySource.from(handle)
    base?.pointee = source.bytes.baseAddress
    size?.pointee = toff_t(source.count)
    return 1
}
private let tiffUnmapProc: TIFFUnmapFileProc = { _, _, _ in }

/// Owns one `TIFF*` over an in-memory copy of the document, and the log its handlers write to; closed in `deinit`.
final class TIFFFile {
    private let handle: OpaquePointer
    let log: DiagnosticLog
    private let logBox: Unmanaged<DiagnosticLog>
    /// Kept until after `TIFFClose` in `deinit` (stored properties outlive the deinit body): libtiff holds
    /// it unretained as the client data of every proc.
    private let source: TIFFMemorySource
    /// The document's name, for messages only: the bytes never came from, or go back to, a path.
    let name: String

    init(data: Data, name: String, maxSingleAllocation: Int) throws(DecodeError) {
        _ = silenceGlobalTIFFHandlers
        let log = DiagnosticLog()
        let box = Unmanaged.passRetained(log)
        guard let options = TIFFOpenOptionsAlloc() else {
            box.release()
            throw .unreadable(file: name, reason: "libtiff could not allocate options")
        }
        defer { TIFFOpenOptionsFree(options) }
        TIFFOpenOptionsSetErrorHandlerExtR(options, tiffErrorHandler, box.toOpaque())
        TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarningHandler, box.toOpaque())
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, tmsize_t(maxSingleAllocation))
        let source = TIFFMemorySource(data)
        // "r": read-only, memory-mapped through tiffMapProc, so strips are decoded straight from the copy.
        guard let tif = TIFFClientOpenExt(name, "r", Unmanaged.passUnretained(source).toOpaque(), tiffReadProc, tiffWriteProc, tiffSeekProc,
                                          tiffCloseProc, tiffSizeProc, tiffMapProc, tiffUnmapProc, options) else {
            box.release()
            throw .corrupt(file: name, page: 0, reason: log.firstError ?? "libtiff could not open the file")
        }
        self.handle = tif
        self.log = log
        self.logBox = box
        self.source = source
        self.name = name
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
