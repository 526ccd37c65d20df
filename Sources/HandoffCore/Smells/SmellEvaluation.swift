/// Scores the vague-term detector on labelled requirements and tunes its `Options` by a protocol that
/// never reports a figure measured on the data it tuned on: tune on one set, report on another, and
/// leave-one-document-out. Pure; the bench and the tests feed it the shared development sets.
public enum SmellEvaluation {
    /// The eight classes the labelled sets mark (the detector's `incomplete-reference` is not labelled there).
    public static let labelledClasses: [RequirementSmells.TermClass] = [
        .subjective, .ambiguousAdverbAdjective, .loophole, .nonVerifiable, .superlative, .comparative, .negative, .vaguePronoun,
    ]

    /// One labelled requirement: its text, the document it comes from, and the classes marked in it.
    public struct Requirement: Sendable {
        /// The requirement's text.
        public var text: String
        /// The document it was taken from (the unit of leave-one-document-out).
        public var document: String
        /// The smell classes the annotators marked.
        public var classes: Set<RequirementSmells.TermClass>

        /// Creates a labelled requirement.
        public init(text: String, document: String, classes: Set<RequirementSmells.TermClass>) {
            self.text = text
            self.document = document
            self.classes = classes
        }
    }

    /// True, false positives and false negatives, with the measures derived from them.
    public struct Counts: Sendable, Hashable {
        /// Flagged and labelled.
        public var truePositives = 0
        /// Flagged, not labelled.
        public var falsePositives = 0
        /// Labelled, not flagged.
        public var falseNegatives = 0

        /// Counts, zero unless given.
        public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
            self.truePositives = truePositives
            self.falsePositives = falsePositives
            self.falseNegatives = falseNegatives
        }

        /// TP / (TP + FP); 0 when nothing was flagged.
        public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        /// TP / (TP + FN); 0 when nothing was labelled.
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        /// The harmonic mean of precision and recall.
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

        mutating func add(flagged: Bool, labelled: Bool) {
            switch (flagged, labelled) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): break
            }
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(
                truePositives: lhs.truePositives + rhs.truePositives, falsePositives: lhs.falsePositives + rhs.falsePositives,
                falseNegatives: lhs.falseNegatives + rhs.falseNegatives)
        }

        private func ratio(_ numerator: Int, _ denominator: Int) -> Double {
            denominator == 0 ? 0 : Double(numerator) / Double(denominator)
        }
    }

    /// Requirement-level scores: per class, micro over the eight classes, and "any smell" regardless of class.
    public struct Scores: Sendable, Hashable {
        /// Per labelled class.
        public var perClass: [RequirementSmells.TermClass: Counts] = [:]
        /// Whether a requirement has any smell at all.
        public var any = Counts()
        /// The per-class counts summed.
        public var micro: Counts { perClass.values.reduce(Counts(), +) }

        static func + (lhs: Scores, rhs: Scores) -> Scores {
            Scores(perClass: lhs.perClass.merging(rhs.perClass, uniquingKeysWith: +), any: lhs.any + rhs.any)
        }
    }

    /// Scores `options` on `requirements`.
    public static func score(_ requirements: [Requirement], options: RequirementSmells.Options) -> Scores {
        score(requirements.map(Tokenized.init), options: options)
    }

    /// A requirement tokenized once, so that tuning scores many settings without tokenizing again.
    struct Tokenized {
        var requirement: Requirement
        var bytes: [UInt8]
        var tokens: [SmellTokenizer.Token]

        init(_ requirement: Requirement) {
            self.requirement = requirement
            bytes = Array(requirement.text.utf8)
            tokens = SmellTokenizer.tokens(bytes)
        }
    }

    static func score(_ requirements: [Tokenized], options: RequirementSmells.Options) -> Scores {
        var scores = Scores()
        for item in requirements {
            let found = RequirementSmells.vagueTerms(item.bytes, item.tokens, options: options).map(\.termClass)
            let flagged = Set(found).intersection(labelledClasses)
            for termClass in labelledClasses {
                scores.perClass[termClass, default: Counts()].add(
                    flagged: flagged.contains(termClass),
                    labelled: item.requirement.classes.contains(termClass))
            }
            scores.any.add(flagged: !flagged.isEmpty, labelled: !item.requirement.classes.isEmpty)
        }
        return scores
    }

    /// The settings with the best micro F1 plus any-smell F1 on `requirements`, found by coordinate ascent
    /// from `Options.neutral` (each setting in turn takes its best value until none improves), so the result
    /// is deterministic and owes nothing to data outside `requirements`.
    public static func tune(on requirements: [Requirement]) -> RequirementSmells.Options {
        let tokenized = requirements.map(Tokenized.init)
        func value(_ options: RequirementSmells.Options) -> Double {
            let scores = score(tokenized, options: options)
            return scores.micro.f1 + scores.any.f1
        }
        var best = RequirementSmells.Options.neutral
        var bestValue = value(best)
        var improved = true
        while improved {
            improved = false
            for candidate in RequirementSmells.Options.neighbours(of: best) {
                let candidateValue = value(candidate)
                if candidateValue > bestValue + 1e-12 {
                    best = candidate
                    bestValue = candidateValue
                    improved = true
                }
            }
        }
        return best
    }

    /// One held-out measurement: the settings tuned elsewhere and the scores on the held-out data.
    public struct HeldOut: Sendable {
        /// What was held out (a set's name, or "leave-one-document-out").
        public var name: String
        /// The settings chosen on the tuning data (one per fold for leave-one-document-out).
        public var options: [RequirementSmells.Options]
        /// Scores on data the settings never saw (pooled over folds).
        public var scores: Scores
    }

    /// Tunes on `tuning` and scores on `test`.
    public static func crossSet(tuning: [Requirement], test: [Requirement], name: String) -> HeldOut {
        let options = tune(on: tuning)
        return HeldOut(name: name, options: [options], scores: score(test, options: options))
    }

    /// For each document, tunes on every other document and scores on it; the counts are pooled.
    public static func leaveOneDocumentOut(_ requirements: [Requirement]) -> HeldOut {
        var documents: [String] = []
        for requirement in requirements where !documents.contains(requirement.document) { documents.append(requirement.document) }
        var pooled = Scores()
        var chosen: [RequirementSmells.Options] = []
        for document in documents {
            let options = tune(on: requirements.filter { $0.document != document })
            chosen.append(options)
            pooled = pooled + score(requirements.filter { $0.document == document }, options: options)
        }
        return HeldOut(name: "leave-one-document-out (\(documents.count) documents)", options: chosen, scores: pooled)
    }
}

extension SmellEvaluation {
    /// Labelled requirements from CSV rows with a `text` and a `document` column and one column per class
    /// (a non-empty cell marks the class), as in the ARTA-derived development sets.
    public static func requirements(fromRows rows: [[String: String]]) -> [Requirement] {
        rows.map { row in
            // "1999 - tcs.xml" in one set and "1999 - tcs" in the other are the same document.
            var document = (row["document"] ?? "").lowercased()
            if document.hasSuffix(".xml") { document.removeLast(4) }
            let classes = labelledClasses.filter { !(row[$0.rawValue] ?? "").allSatisfy { $0 == " " || $0 == "*" } }
            return Requirement(text: row["text"] ?? "", document: document, classes: Set(classes))
        }
    }
}

extension RequirementSmells {
    /// Every single word the detector lists, for baselines that match words only (a `grep -w -F -f` list).
    public static var listedWords: [String] { SmellLexicon.shared.words.keys.sorted() }
}
