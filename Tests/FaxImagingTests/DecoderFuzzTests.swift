import Foundation
import Testing
@testable import FaxImaging

/// A bounded, seeded mutation fuzzer over the decoders: every mutant must decode to sane pages within the
/// limits or fail with a one-line bad-input error; a crash takes the test process down with it.
///
/// Bounded by count, not time, so CI does the same work on every machine. `FAXINTAKE_FUZZ_ITERATIONS`
/// raises the count (scripts/soak.sh does); `FAXINTAKE_FUZZ_SEED` moves to other inputs.
@Suite("Decoder fuzz") struct DecoderFuzzTests {
    static var iterations: Int { Int(ProcessInfo.processInfo.environment["FAXINTAKE_FUZZ_ITERATIONS"] ?? "") ?? 300 }
    static var baseSeed: UInt64 { UInt64(ProcessInfo.processInfo.environment["FAXINTAKE_FUZZ_SEED"] ?? "") ?? 1 }

    /// Small limits keep each run cheap (a mutant that claims a huge page is refused, not drawn) while
    /// still exercising every check; rendering PDFs at 50 dpi keeps the loop about parsing, not painting.
    static let limits = DecodeLimits(maxPixelsPerPage: 12_000_000, maxPagesPerFile: 20, pdfRenderDPI: 50)

    struct Mutator {
        var rng: SplitMix64
        mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }

        /// One to four edits of the kinds that break parsers: flipped bits, random bytes, interesting
        /// integers (0, -1, 0x7FFF…) over 2- or 4-byte fields, truncation, a duplicated or deleted span.
        mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
            var b = seed
            for _ in 0..<(1 + below(4)) where !b.isEmpty {
                let at = below(b.count)
                switch below(6) {
                case 0: b[at] ^= UInt8(1 << below(8))
                case 1: b[at] = UInt8(truncatingIfNeeded: rng.next())
                case 2:
                    let interesting: [UInt32] = [0, 1, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 100_000]
                    let v = interesting[below(interesting.count)]
                    for k in 0..<(below(2) == 0 ? 2 : 4) where at + k < b.count { b[at + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) }
                case 3: b = Array(b.prefix(max(8, at)))
                case 4:
                    let len = min(below(64) + 1, b.count - at)
                    b.insert(contentsOf: b[at..<(at + len)], at: at)
                default:
                    let len = min(below(64) + 1, b.count - at)
                    b.removeSubrange(at..<(at + len))
                }
            }
            return b
        }
    }

    struct Outcome { var decoded = 0, refused = 0 }

    /// Runs `count` mutants of the seeds through the decoder. The mutant being decoded is kept at `current`
    /// so that if libtiff or poppler crashes the process, the reproducer is on disk.
    static func fuzz(seeds: [String], ext: String, seed: UInt64, count: Int) throws -> Outcome {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faxintake-fuzz-\(ext)-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let current = dir.appendingPathComponent("current.\(ext)")
        let originals = try seeds.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: Shared.path($0)))) }
        var mutator = Mutator(rng: SplitMix64(seed: seed))
        let decoder = DocumentDecoder(limits: limits)
        var outcome = Outcome()
        for _ in 0..<count {
            let mutant = mutator.mutate(originals[mutator.below(originals.count)])
            // Decoded from memory; the file is only the reproducer should the process die.
            let data = Data(mutant)
            try data.write(to: current)
            do {
                let stream = try decoder.open(data: data, name: current.path)
                var pages = 0
                while let page = try stream.next() {
                    pages += 1
                    #expect(page.image.width > 0 && page.image.height > 0)
                    #expect(page.image.width * page.image.height <= limits.maxPixelsPerPage)
                    #expect(page.image.pixels.count == page.image.width * page.image.height)
                }
                #expect(pages > 0)
                #expect(pages <= limits.maxPagesPerFile)
                outcome.decoded += 1
            } catch {
                #expect(error.isBadInput, "\(error)")
                #expect(error.file == current.path)
                #expect(!error.reason.isEmpty && !error.description.contains("\n"))
                outcome.refused += 1
            }
        }
        // Only a clean finish removes the reproducer folder.
        try? FileManager.default.removeItem(at: dir)
        return outcome
    }

    @Test("mutated fax TIFFs (G3 1-D, G3 2-D, G4, LZW, multi-page) decode or fail cleanly")
    func tiff() throws {
        let seeds = ["realdata/faxes/g4_fillorder_lsb2msb_kofax.tif", "realdata/faxes/libtiff_miniswhite-1c-1b.tiff",
                     "realdata/faxes/g4_multi_3page_400dpi.tiff", "realdata/faxes/ccitt_bounds_nearblank_g4_300dpi.tif",
                     "realdata/faxes/multipage_mixed_g3_lzw.tif", "realdata/faxes/ccitt_2.tif", "corpus-dev/0018.tif"]
        let outcome = try Self.fuzz(seeds: seeds, ext: "tif", seed: Self.baseSeed, count: Self.iterations)
        print("fuzz tiff: \(Self.iterations) executions, \(outcome.decoded) decoded, \(outcome.refused) refused")
        // Both branches must be reached, or the mutator is too weak (or too strong) to test anything.
        #expect(outcome.decoded > 0 && outcome.refused > 0)
    }

    @Test("mutated PDFs (fillable form, scan, small) decode or fail cleanly")
    func pdf() throws {
        let seeds = ["corpus-dev/0019.pdf", "corpus-dev/0011.pdf", "realdata/malformed/pdfjs_encrypted_empty_protected.pdf"]
        let outcome = try Self.fuzz(seeds: seeds, ext: "pdf", seed: Self.baseSeed &+ 1000, count: Self.iterations)
        print("fuzz pdf: \(Self.iterations) executions, \(outcome.decoded) decoded, \(outcome.refused) refused")
        #expect(outcome.decoded > 0 && outcome.refused > 0)
    }
}

/// A small seeded generator: the same mutants on every run for a given seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
