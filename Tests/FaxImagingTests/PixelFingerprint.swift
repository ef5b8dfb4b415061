import FaxImaging

/// A 64-bit FNV-1a fingerprint of a raster's bytes, to compare pages without keeping them.
func pixelFingerprint(_ pixels: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    pixels.withUnsafeBufferPointer { buffer in
        for byte in buffer {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
    }
    return hash
}
