/// The readings of one field, from several images and models, and the value they settle on.
///
/// Two models trained differently rarely make the same mistake on the same glyph, so a value both
/// read counts for more than either model's own confidence in a value only one of them read.
struct FieldBallot {
    private struct Candidate {
        var best: FieldReading
        var support = 0.0
        var engines: Set<Int> = []
    }

    /// One candidate per distinct value, in the order first read, so ties always go the same way.
    private var candidates: [Candidate] = []
    /// Every model that has read the field so far.
    private var engines: Set<Int> { candidates.reduce(into: Set<Int>()) { $0.formUnion($1.engines) } }
    /// Readings added so far, by all models.
    private(set) var readings = 0

    mutating func add(_ reading: FieldReading, engine: Int) {
        readings += 1
        // A blank reading supports nothing: an empty zone never reaches the recogniser.
        let weight = max(reading.confidence, 0.01)
        if let k = candidates.firstIndex(where: { $0.best.value == reading.value }) {
            candidates[k].support += weight
            candidates[k].engines.insert(engine)
            if reading.confidence > candidates[k].best.confidence { candidates[k].best = reading }
        } else {
            candidates.append(Candidate(best: reading, support: weight, engines: [engine]))
        }
    }

    /// The valid, most confident reading so far: the rule with one model.
    var best: FieldReading? {
        var chosen: Candidate?
        for c in candidates where chosen == nil || Self.rank(c.best) > Self.rank(chosen!.best) { chosen = c }
        return chosen.map(withEvidence)
    }

    /// A candidate's best reading with the ballot's side of its evidence: who read it, and its share.
    private func withEvidence(_ c: Candidate) -> FieldReading {
        var reading = c.best
        let total = candidates.reduce(0.0) { $0 + $1.support }
        reading.evidence.models = engines.count
        reading.evidence.agreed = c.engines == engines
        reading.evidence.share = ((c.support / max(total, 0.01)) * 1000).rounded() / 1000
        reading.evidence.readings = readings
        return reading
    }

    /// The best valid value that every model has read, if any. Nothing read is no value: the zone has
    /// ink (an empty zone never reaches a recogniser), and a model that returns nothing for it gave up
    /// (tesseract's fast model returns nothing for a lone 9 that the standard model reads).
    var agreed: FieldReading? {
        let engines = self.engines
        guard engines.count > 1 else { return nil }
        var chosen: FieldReading?
        for c in candidates where c.engines == engines && c.best.valid && !c.best.value.isEmpty {
            if chosen == nil || c.best.confidence > chosen!.confidence { chosen = c.best }
        }
        return chosen
    }

    /// The value to report: a value every model read first, then the most support (summed confidence);
    /// valid values before invalid ones, and anything read before nothing (see `agreed`). A value not
    /// every model read keeps its best confidence only in proportion to its share of the support, so a
    /// disagreement goes to review.
    var decision: FieldReading? {
        let engines = self.engines
        guard engines.count > 1 else { return best }
        let anyValid = candidates.contains { $0.best.valid }
        var eligible = candidates.filter { !anyValid || $0.best.valid }
        if eligible.contains(where: { !$0.best.value.isEmpty }) { eligible.removeAll { $0.best.value.isEmpty } }
        var chosen: Candidate?
        for c in eligible {
            guard let current = chosen else { chosen = c; continue }
            let byAll = c.engines == engines, currentByAll = current.engines == engines
            if (byAll && !currentByAll) || (byAll == currentByAll && c.support > current.support) { chosen = c }
        }
        guard let chosen else { return nil }
        var result = withEvidence(chosen)
        if chosen.engines != engines {
            let total = eligible.reduce(0.0) { $0 + $1.support }
            result.confidence = ((result.confidence * chosen.support / max(total, 0.01)) * 1000).rounded() / 1000
        }
        return result
    }

    private static func rank(_ r: FieldReading) -> (Int, Double) { (r.valid ? 1 : 0, r.confidence) }
}
