import Foundation

extension FieldType: CodingKeyRepresentable {}

/// Turns a reading's evidence into the chance that its value is right: a logistic model per field type, fitted by `faxintake calibrate`.
///
/// tesseract's confidence says how cleanly glyphs matched, not how often a value is right; what makes
/// a value right is mostly whether two differently trained models read it alike and whether it passes
/// its validator. A logistic model over those signals, fitted on documents with ground truth, gives a
/// probability a target accuracy can be set against.
public struct ConfidenceCalibration: Sendable, Equatable, Codable {
    /// The features every model weighs, in order; a file fitted on other features is refused.
    public static let featureNames = ["bias", "logit_confidence", "agreed_by_two", "models_disagree", "contested",
                                      "valid", "corrected", "read_empty", "blank", "sure_margin", "sure_margin_agreed"]

    /// One logistic model: a weight per feature, and what it was fitted on.
    public struct Model: Sendable, Equatable, Codable {
        public var weights: [Double]
        public var samples: Int
        /// Samples whose value was wrong.
        public var wrong: Int

        public init(weights: [Double], samples: Int = 0, wrong: Int = 0) {
            self.weights = weights
            self.samples = samples
            self.wrong = wrong
        }
    }

    public var features: [String]
    /// Per field type; a type without its own model uses `fallback`.
    public var models: [FieldType: Model]
    /// Fitted on every type at once; each type's model is drawn towards it.
    public var fallback: Model
    /// The logistic models' chance mapped to the rate of right values observed at it; nil keeps the
    /// logistic chance (files fitted before there was one).
    public var recalibration: Recalibration?
    /// The corpus folders fitted on, the day, and how many samples.
    public var corpora: [String]
    public var fitted: String
    public var samples: Int

    public init(models: [FieldType: Model], fallback: Model, corpora: [String] = [], fitted: String = "", samples: Int = 0) {
        self.features = Self.featureNames
        self.models = models
        self.fallback = fallback
        self.corpora = corpora
        self.fitted = fitted
        self.samples = samples
    }

    /// The chance that the value read with this evidence is right.
    public func probability(_ evidence: ReadingEvidence) -> Double {
        let p = logisticProbability(evidence)
        return recalibration?.map(p) ?? p
    }

    /// The logistic model's chance, before the recalibration.
    func logisticProbability(_ evidence: ReadingEvidence) -> Double {
        let w = (models[evidence.type] ?? fallback).weights
        let x = Self.features(evidence)
        var z = 0.0
        for (a, b) in zip(w, x) { z += a * b }
        return 1 / (1 + exp(-z))
    }

    /// A monotone map from the logistic chance to the observed rate of right values (isotonic regression).
    ///
    /// A logistic curve cannot draw a step: where the evidence is best (both models agree, sure, valid),
    /// values are right far more often than the curve through the rest of the scale allows, so it holds
    /// the best readings a little under any strict target (measured: dates at 0.995, codes at 0.992, and
    /// none of them wrong). Isotonic regression (pool-adjacent-violators) over the fitted samples gives
    /// each stretch of the scale its observed rate, by the rule of succession ((right + 1) / (n + 2)), so
    /// a stretch counts as sure only with many samples behind it: 500 right of 500 is 0.998.
    public struct Recalibration: Sendable, Equatable, Codable {
        /// One pooled stretch of the scale: the logistic chances it spans, its mean, and its rate.
        public struct Block: Sendable, Equatable, Codable {
            public var lower: Double
            public var upper: Double
            public var mean: Double
            public var rate: Double
            public var samples: Int
            public var wrong: Int
        }

        public var blocks: [Block]

        /// The rate at a logistic chance: its block's rate; between two blocks, linear from the one's upper
        /// end to the next's lower end; flat beyond the ends.
        public func map(_ p: Double) -> Double {
            guard let first = blocks.first, let last = blocks.last else { return p }
            if p <= first.upper { return first.rate }
            if p >= last.lower { return last.rate }
            var k = 0
            while k + 1 < blocks.count, blocks[k + 1].lower <= p { k += 1 }
            let a = blocks[k]
            if p <= a.upper { return a.rate }
            let b = blocks[k + 1]
            let t = (p - a.upper) / max(b.lower - a.upper, 1e-12)
            return a.rate + t * (b.rate - a.rate)
        }

        /// Pool-adjacent-violators over (chance, right) pairs; equal chances always share a block.
        public static func fit(_ pairs: [(p: Double, correct: Bool)]) -> Recalibration {
            var blocks: [Block] = []
            var sums: [Double] = []
            let sorted = pairs.sorted { $0.p < $1.p }
            var i = 0
            while i < sorted.count {
                var j = i, right = 0, total = 0.0
                while j < sorted.count, sorted[j].p == sorted[i].p {
                    if sorted[j].correct { right += 1 }
                    total += sorted[j].p
                    j += 1
                }
                let n = j - i
                blocks.append(Block(lower: sorted[i].p, upper: sorted[i].p, mean: 0, rate: rate(right, n), samples: n, wrong: n - right))
                sums.append(total)
                // Merge back while the rates fall.
                while blocks.count > 1, blocks[blocks.count - 2].rate >= blocks[blocks.count - 1].rate {
                    let b = blocks.removeLast(), s = sums.removeLast()
                    var a = blocks[blocks.count - 1]
                    a.upper = b.upper
                    a.samples += b.samples
                    a.wrong += b.wrong
                    a.rate = rate(a.samples - a.wrong, a.samples)
                    blocks[blocks.count - 1] = a
                    sums[sums.count - 1] += s
                }
                i = j
            }
            for k in blocks.indices { blocks[k].mean = sums[k] / Double(blocks[k].samples) }
            return Recalibration(blocks: blocks)
        }

        static func rate(_ right: Int, _ n: Int) -> Double { (Double(right) + 1) / (Double(n) + 2) }
    }

    /// The evidence as the models see it. The engine's confidence enters as a log-odds, so its top end
    /// weighs what it means. Measured on the development corpora, errors all but vanish above an engine
    /// confidence of 0.95 when both models agree, a step one slope cannot draw: the margin above 0.95
    /// (alone and where both models agree) gives the model that step. A zone with no ink, which no model
    /// reads, is almost never wrong; a zone with ink that the models read as nothing often is: two features.
    static func features(_ e: ReadingEvidence) -> [Double] {
        let c = min(max(e.rawConfidence, 0.01), 0.999)
        let logit = e.empty ? 0 : log(c / (1 - c))
        let margin = max(0, logit - log(0.95 / 0.05))
        return [1,
                logit,
                e.agreedByTwo ? 1 : 0,
                e.modelsDisagree ? 1 : 0,
                1 - min(max(e.share, 0), 1),
                e.valid ? 1 : 0,
                e.corrected ? 1 : 0,
                e.empty && e.readings > 0 ? 1 : 0,
                e.readings == 0 ? 1 : 0,
                margin,
                e.agreedByTwo ? margin : 0]
    }

    enum CodingKeys: String, CodingKey { case features, models, fallback, recalibration, corpora, fitted, samples }

    /// Loads a calibration file and checks that its models fit today's features.
    public static func load(path: String) throws(ExtractionError) -> ConfidenceCalibration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .calibration(path: path, reason: "cannot read the file (\(error.localizedDescription)); make one with `faxintake calibrate`")
        }
        let calibration: ConfidenceCalibration
        do { calibration = try JSONDecoder().decode(ConfidenceCalibration.self, from: data) } catch {
            throw .calibration(path: path, reason: "not a calibration file: \(Self.explain(error))")
        }
        guard calibration.features == featureNames else {
            throw .calibration(path: path, reason: "fitted on features \(calibration.features), this version uses \(featureNames); run `faxintake calibrate` again")
        }
        for (name, model) in [("fallback", calibration.fallback)] + calibration.models.map({ ($0.key.rawValue, $0.value) }) {
            guard model.weights.count == featureNames.count, model.weights.allSatisfy(\.isFinite) else {
                throw .calibration(path: path, reason: "model '\(name)' needs \(featureNames.count) finite weights")
            }
        }
        if let blocks = calibration.recalibration?.blocks {
            let ordered = zip(blocks, blocks.dropFirst()).allSatisfy { $0.upper <= $1.lower && $0.rate <= $1.rate }
            guard ordered, blocks.allSatisfy({ $0.lower <= $0.upper && (0...1).contains($0.rate) && $0.lower.isFinite && $0.upper.isFinite }) else {
                throw .calibration(path: path, reason: "recalibration blocks must be in order, each rate between 0 and 1 and rising")
            }
        }
        return calibration
    }

    /// Writes the file, keys sorted so a refit shows as a small diff.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let at = context.codingPath.map(\.stringValue).joined(separator: ".")
            return at.isEmpty ? context.debugDescription : "wrong value at \(at): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// One field's evidence and whether its value was right: what a calibration is fitted on.
public struct CalibrationSample: Sendable, Equatable, Codable {
    public var evidence: ReadingEvidence
    public var correct: Bool
    /// Which of the corpora it came from (0-based), for fitting on one and scoring on another.
    public var corpus: Int
    /// The document's place in its corpus, for fitting on alternate documents when there is one corpus.
    public var document: Int
    public var field: String
    /// After the first model's first reading (what the early stop judges), or the field's final reading.
    public var stage: Stage

    public enum Stage: String, Sendable, Equatable, Codable { case first, final }

    public init(evidence: ReadingEvidence, correct: Bool, corpus: Int, document: Int = 0, field: String, stage: Stage) {
        self.evidence = evidence
        self.correct = correct
        self.corpus = corpus
        self.document = document
        self.field = field
        self.stage = stage
    }
}

extension ConfidenceCalibration {
    /// How strongly weights are drawn to zero (the pooled model) and to the pooled model (each type's):
    /// a type with few samples or no errors stays near the pooled model instead of running to certainty.
    /// Chosen on the two development corpora by fitting on one and scoring the other (`faxintake calibrate`
    /// prints that table): weaker penalties automated more there but trust a corpus of 40 documents further.
    static let pooledPenalty = 0.1
    static let typePenalty = 4.0

    /// Fits the pooled model, then one per field type drawn towards it. Deterministic: Newton's method
    /// from zero, samples in the order given.
    public static func fit(_ samples: [CalibrationSample], corpora: [String] = [], fitted: String = "") -> ConfidenceCalibration {
        let x = samples.map { features($0.evidence) }
        let y = samples.map(\.correct)
        let zero = [Double](repeating: 0, count: featureNames.count)
        // The bias is barely held, so the pooled model's base rate is the data's.
        var pooledPenalty = [Double](repeating: Self.pooledPenalty, count: featureNames.count)
        pooledPenalty[0] = 1e-3
        let pooled = LogisticFit.fit(x: x, y: y, prior: zero, penalty: pooledPenalty, project: monotone)
        var models: [FieldType: Model] = [:]
        let types = Set(samples.map(\.evidence.type)).sorted { $0.rawValue < $1.rawValue }
        for type in types {
            let rows = samples.indices.filter { samples[$0].evidence.type == type }
            let weights = LogisticFit.fit(x: rows.map { x[$0] }, y: rows.map { y[$0] }, prior: pooled,
                                          penalty: [Double](repeating: typePenalty, count: featureNames.count), project: monotone)
            models[type] = Model(weights: weights, samples: rows.count, wrong: rows.filter { !y[$0] }.count)
        }
        var calibration = ConfidenceCalibration(models: models, fallback: Model(weights: pooled, samples: samples.count, wrong: y.filter { !$0 }.count),
                                                corpora: corpora, fitted: fitted, samples: samples.count)
        calibration.recalibration = .fit(samples.map { (calibration.logisticProbability($0.evidence), $0.correct) })
        return calibration
    }
}

extension ConfidenceCalibration {
    /// Keeps the chance from falling as the engine's confidence rises: the slope in the log-odds, and that
    /// slope plus each margin's, never below zero. A corpus too small to show the top of the scale must
    /// not teach that a surer engine is more often wrong.
    static func monotone(_ w: [Double]) -> [Double] {
        var w = w
        w[1] = max(w[1], 0)
        w[9] = max(w[9], -w[1])
        w[10] = max(w[10], -(w[1] + w[9]))
        return w
    }
}

/// Penalised logistic regression by Newton's method (iteratively reweighted least squares).
enum LogisticFit {
    /// Weights maximising the log-likelihood less `penalty[j]/2 · (w[j] − prior[j])²`; `project`, if
    /// given, maps each step's weights back into the allowed set (projected Newton).
    static func fit(x: [[Double]], y: [Bool], prior: [Double], penalty: [Double], iterations: Int = 100,
                    project: (([Double]) -> [Double])? = nil) -> [Double] {
        let k = prior.count
        var w = prior
        for _ in 0..<iterations {
            var gradient = (0..<k).map { -penalty[$0] * (w[$0] - prior[$0]) }
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            for j in 0..<k { hessian[j][j] = penalty[j] }
            for (row, label) in zip(x, y) {
                var z = 0.0
                for j in 0..<k { z += w[j] * row[j] }
                let p = 1 / (1 + exp(-z))
                let r = (label ? 1 : 0) - p
                let v = max(p * (1 - p), 1e-12)
                for a in 0..<k where row[a] != 0 {
                    gradient[a] += r * row[a]
                    for b in 0..<k where row[b] != 0 { hessian[a][b] += v * row[a] * row[b] }
                }
            }
            guard let step = solve(hessian, gradient) else { break }
            var next = w
            for j in 0..<k { next[j] += step[j] }
            if let project { next = project(next) }
            var largest = 0.0
            for j in 0..<k { largest = max(largest, abs(next[j] - w[j])) }
            w = next
            if largest < 1e-10 { break }
        }
        return w
    }

    /// Solves `a · s = b` by Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a
        var v = b
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }), abs(m[pivot][col]) > 1e-14 else { return nil }
            m.swapAt(col, pivot); v.swapAt(col, pivot)
            for r in (col + 1)..<n where m[r][col] != 0 {
                let f = m[r][col] / m[col][col]
                for c in col..<n { m[r][c] -= f * m[col][c] }
                v[r] -= f * v[col]
            }
        }
        var s = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var t = v[r]
            for c in (r + 1)..<n { t -= m[r][c] * s[c] }
            s[r] = t / m[r][r]
        }
        return s
    }
}

/// Predicted against observed accuracy per confidence bin: a calibrated confidence lies on the diagonal.
public struct ReliabilityTable: Sendable, Encodable {
    /// One bin: predictions in `[lower, upper)`.
    public struct Bin: Sendable, Encodable {
        public var lower: Double
        public var upper: Double
        public var count = 0
        public var meanPredicted = 0.0
        public var observed = 0.0

        enum CodingKeys: String, CodingKey {
            case lower, upper, count, observed
            case meanPredicted = "mean_predicted"
        }
    }

    public static let edges = [0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998]
    public var bins: [Bin]

    /// Bins each (predicted chance, was right) pair.
    public init(_ pairs: [(predicted: Double, correct: Bool)]) {
        let edges = Self.edges
        var bins = edges.indices.map { Bin(lower: edges[$0], upper: $0 + 1 < edges.count ? edges[$0 + 1] : 1) }
        var sums = [(p: Double, right: Int)](repeating: (0, 0), count: edges.count)
        for (p, ok) in pairs {
            let k = edges.lastIndex { p >= $0 } ?? 0
            bins[k].count += 1
            sums[k].p += p
            if ok { sums[k].right += 1 }
        }
        for k in bins.indices where bins[k].count > 0 {
            bins[k].meanPredicted = sums[k].p / Double(bins[k].count)
            bins[k].observed = Double(sums[k].right) / Double(bins[k].count)
        }
        self.bins = bins
    }

    /// A fixed-width table for the terminal.
    public func render(title: String) -> String {
        var lines = [title, "  bin            count  predicted  observed  right/wrong"]
        for bin in bins {
            let label = bin.upper >= 1 && bin.lower > 0.5 ? String(format: "≥%.3f", bin.lower)
                : bin.lower == 0 ? String(format: "<%.3f", bin.upper) : String(format: "%.3f–%.3f", bin.lower, bin.upper)
            guard bin.count > 0 else {
                lines.append("  \(label.padding(toLength: 13, withPad: " ", startingAt: 0)) \(String(format: "%6d", 0))")
                continue
            }
            let right = Int((bin.observed * Double(bin.count)).rounded())
            lines.append("  \(label.padding(toLength: 13, withPad: " ", startingAt: 0)) "
                + String(format: "%6d  %9.4f  %8.4f  %d/%d", bin.count, bin.meanPredicted, bin.observed, right, bin.count - right))
        }
        return lines.joined(separator: "\n")
    }
}
