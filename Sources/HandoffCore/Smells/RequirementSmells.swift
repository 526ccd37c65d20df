/// Finds requirement smells in one acceptance criterion: vague terms by class, a missing observable
/// outcome, and several behaviours in one criterion.
///
/// Word lists alone are noisy, so context decides: a term beside a number or unit is measured, not vague
/// ("within 200 ms"); a negation followed by a concrete outcome is a prohibition a test can check ("must not
/// return 500"); `this` before a noun is a determiner and `it` in "it is required that" is an expletive;
/// code spans, quoted text, identifiers, paths and URLs are never smells. The criterion is tokenized once
/// over its UTF-8 bytes and every word is looked up in tables built once (`SmellLexicon`).
public enum RequirementSmells {
    /// The classes of vague terms (after the requirements-smell literature).
    public enum TermClass: String, Sendable, CaseIterable, Hashable {
        case superlative, subjective, comparative, negative, loophole
        case vaguePronoun = "vague-pronoun"
        case ambiguousAdverbAdjective = "ambiguous-adverb-adjective"
        case nonVerifiable = "non-verifiable"
        case incompleteReference = "incomplete-reference"

        /// How to make a criterion with a term of this class testable.
        public var hint: String {
            switch self {
            case .superlative: "Name the measure and its bound instead of a superlative: 'p95 under 300 ms', not 'fastest'."
            case .subjective: "Replace the impression with something a test observes: a count, a time, a status, a named field."
            case .comparative: "Say compared with what, and by how much: 'under 200 ms at p95 (today 450 ms)'."
            case .negative: "State what happens instead, or the concrete outcome that must not occur: 'must not return 500'."
            case .loophole: "Remove the escape clause, or state exactly when the exception applies."
            case .vaguePronoun: "Name what the pronoun or quantifier stands for: the object, or the exact set it covers."
            case .ambiguousAdverbAdjective: "Replace the word with a number and a unit, or an observable state."
            case .nonVerifiable: "State the observable result a test checks (a status, a field, a count) instead of a quality."
            case .incompleteReference: "Link the exact document or section, or copy the rule into the criterion."
            }
        }
    }

    /// A vague term found in a criterion.
    public struct VagueTerm: Sendable, Hashable {
        /// The term as written (a word or phrase).
        public var term: String
        /// Its class.
        public var termClass: TermClass
        /// Where the term starts in the criterion's UTF-8, for line and column.
        public var utf8Offset: Int
    }

    /// The detector's settings that evidence may move; everything else is fixed by the lexicon and rules.
    /// `shipped` is what `handoff` uses; `handoff-bench --only smells` tunes them per its protocol.
    public struct Options: Sendable, Hashable, CustomStringConvertible {
        /// Words on each side of a term within which a number makes the term measured.
        public var measuringWindow: Int
        /// Flag `no` as a negative statement ("no payout is created").
        public var flagsNo: Bool
        /// Flag `without` as a negative statement.
        public var flagsWithout: Bool
        /// Flag `it` when the criterion names nothing it could refer to.
        public var flagsIt: Bool
        /// Flag personal pronouns (`they`, `its`, …) without an antecedent.
        public var flagsPersonal: Bool
        /// Flag `who`, `what`, `whatever`, … as open references.
        public var flagsInterrogative: Bool
        /// Flag the relative pronoun `which`.
        public var flagsWhich: Bool

        /// Creates settings.
        public init(
            measuringWindow: Int, flagsNo: Bool, flagsWithout: Bool, flagsIt: Bool, flagsPersonal: Bool,
            flagsInterrogative: Bool, flagsWhich: Bool
        ) {
            self.measuringWindow = measuringWindow
            self.flagsNo = flagsNo
            self.flagsWithout = flagsWithout
            self.flagsIt = flagsIt
            self.flagsPersonal = flagsPersonal
            self.flagsInterrogative = flagsInterrogative
            self.flagsWhich = flagsWhich
        }

        /// Tuned on both shared development sets together (`handoff-bench --only smells`); the figures the
        /// README reports come from settings tuned on one set and measured on the other.
        public static let shipped = Options(
            measuringWindow: 1, flagsNo: true, flagsWithout: true, flagsIt: false,
            flagsPersonal: false, flagsInterrogative: true, flagsWhich: false)

        /// Where tuning starts: every optional flag off, the middle window.
        public static let neutral = Options(
            measuringWindow: 2, flagsNo: false, flagsWithout: false, flagsIt: false,
            flagsPersonal: false, flagsInterrogative: false, flagsWhich: false)

        /// The settings one step away from `options`: another window, or one flag flipped.
        public static func neighbours(of options: Options) -> [Options] {
            var result: [Options] = []
            for window in 1...4 where window != options.measuringWindow {
                var changed = options
                changed.measuringWindow = window
                result.append(changed)
            }
            let flags: [WritableKeyPath<Options, Bool>] = [
                \.flagsNo, \.flagsWithout, \.flagsIt, \.flagsPersonal,
                \.flagsInterrogative, \.flagsWhich,
            ]
            for flag in flags {
                var changed = options
                changed[keyPath: flag].toggle()
                result.append(changed)
            }
            return result
        }

        /// `window=3 no without interrogative`: the settings in one line.
        public var description: String {
            let flags = [
                (flagsNo, "no"), (flagsWithout, "without"), (flagsIt, "it"), (flagsPersonal, "personal"),
                (flagsInterrogative, "interrogative"), (flagsWhich, "which"),
            ].filter(\.0).map(\.1)
            return (["window=\(measuringWindow)"] + flags).joined(separator: " ")
        }
    }

    /// The vague terms of one criterion, in order of appearance, each term once.
    public static func vagueTerms(in text: String, options: Options = .shipped) -> [VagueTerm] {
        let bytes = Array(text.utf8)
        return vagueTerms(bytes, SmellTokenizer.tokens(bytes), options: options)
    }

    /// Everything the criterion check needs, from one tokenization.
    public struct Analysis: Sendable {
        /// The vague terms, in order of appearance.
        public var terms: [VagueTerm]
        /// See `lacksObservableOutcome(_:)`.
        public var lacksObservableOutcome: Bool
        /// See `isNotSingular(_:)`.
        public var isNotSingular: Bool
    }

    /// Vague terms, observable outcome and singularity of one criterion, tokenized once.
    public static func analyze(_ text: String, options: Options = .shipped) -> Analysis {
        let bytes = Array(text.utf8)
        let tokens = SmellTokenizer.tokens(bytes)
        let prose = tokens.filter { !$0.isCode }
        return Analysis(
            terms: vagueTerms(bytes, tokens, options: options), lacksObservableOutcome: lacksObservableOutcome(prose),
            isNotSingular: isNotSingular(prose))
    }

    static func vagueTerms(_ bytes: [UInt8], _ tokens: [SmellTokenizer.Token], options: Options) -> [VagueTerm] {
        Detector(tokens: tokens, options: options).run { token in String(decoding: bytes[token.start..<token.end], as: UTF8.self) }
    }

    /// Verbs that open a task rather than a testable statement: "Implement refunds", "Support webhooks".
    static let taskVerbs: Set<String> = [
        "implement", "support", "add", "build", "develop", "provide", "enable", "allow",
        "improve", "refactor", "make", "integrate", "migrate", "setup", "design", "introduce",
        "extend", "retry", "optimize", "optimise", "clean", "rework", "investigate", "consider",
    ]
    /// Verbs of impression: what a user feels is not what a test observes.
    static let impressionVerbs: Set<String> = ["feel", "feels", "seem", "seems", "look", "looks", "appear", "appears"]
    /// Words that may open a criterion before its verb.
    static let openers: Set<String> = ["given", "when", "and", "the", "a", "an", "we", "you"]

    /// True when the criterion describes a task or an impression instead of an outcome a test can observe.
    public static func lacksObservableOutcome(_ text: String) -> Bool {
        lacksObservableOutcome(SmellTokenizer.tokens(Array(text.utf8)).filter { !$0.isCode })
    }

    private static func lacksObservableOutcome(_ words: [SmellTokenizer.Token]) -> Bool {
        if words.contains(where: { $0.lowered == "then" || $0.isNumber }) { return false }
        if let first = words.first(where: { !openers.contains($0.lowered) }), taskVerbs.contains(first.lowered) { return true }
        return words.contains { impressionVerbs.contains($0.lowered) }
    }

    /// True when the criterion bundles several behaviours (several whens, several thens, `and then`).
    public static func isNotSingular(_ text: String) -> Bool {
        isNotSingular(SmellTokenizer.tokens(Array(text.utf8)).filter { !$0.isCode })
    }

    private static func isNotSingular(_ prose: [SmellTokenizer.Token]) -> Bool {
        let words = prose.map(\.lowered)
        let whens = words.filter { $0 == "when" }.count
        let thens = words.filter { $0 == "then" }.count
        let chained = zip(words, words.dropFirst()).contains { $0 == "and" && ($1 == "then" || $1 == "also") }
        return whens > 1 || thens > 1 || chained
    }
}

/// The rules applied to one criterion's tokens.
private struct Detector {
    let tokens: [SmellTokenizer.Token]
    let options: RequirementSmells.Options
    let lexicon = SmellLexicon.shared
    /// Each token's number in the lexicon's vocabulary (-1 when unknown), looked up once.
    let numbers: [Int32]

    /// The last `then` outside code and the first condition word outside code (Given/When/Then), found once:
    /// asked per negation, a scan of the whole criterion each time made a criterion of them quadratic.
    let lastThen: Int
    let firstCondition: Int
    /// Per token, whether an earlier token of its sentence could be a pronoun's antecedent; filled on first use.
    private let antecedents = AntecedentMemo()

    init(tokens: [SmellTokenizer.Token], options: RequirementSmells.Options) {
        self.tokens = tokens
        self.options = options
        let numbers = tokens.map { [lexicon] in lexicon.number(of: $0.lowered) }
        self.numbers = numbers
        let flags = { [lexicon] (index: Int) in numbers[index] < 0 ? [] : lexicon.flags[Int(numbers[index])] }
        lastThen = tokens.indices.last { flags($0).contains(.then) && !tokens[$0].isCode } ?? -1
        firstCondition = tokens.indices.first { flags($0).contains(.condition) && !tokens[$0].isCode } ?? Int.max
    }

    /// A box for what ``hasAntecedent(_:)`` computes once per criterion.
    private final class AntecedentMemo {
        var before: [Bool]?
    }

    private func flags(_ index: Int) -> SmellLexicon.WordFlags {
        numbers[index] < 0 ? [] : lexicon.flags[Int(numbers[index])]
    }

    private func entry(_ index: Int) -> SmellLexicon.Entry? {
        numbers[index] < 0 ? nil : lexicon.entries[Int(numbers[index])]
    }

    func run(_ written: (SmellTokenizer.Token) -> String) -> [RequirementSmells.VagueTerm] {
        var found: [RequirementSmells.VagueTerm] = []
        var seen = Set<Int>()
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if token.isCode {
                index += 1
                continue
            }
            if let phrase = matchingPhrase(at: index) {
                let last = index + phrase.rest.count
                if let termClass = phrase.entry.termClass, isSmell(phrase.entry.rule, from: index, to: last),
                    seen.insert(phrase.key).inserted
                {
                    found.append(.init(term: phrase.text, termClass: termClass, utf8Offset: token.start))
                }
                index = last + 1
                continue
            }
            if let entry = entry(index), let termClass = entry.termClass, isSmell(entry.rule, from: index, to: index),
                seen.insert(Int(numbers[index])).inserted
            {
                found.append(.init(term: written(token), termClass: termClass, utf8Offset: token.start))
            }
            index += 1
        }
        return found
    }

    /// The longest listed phrase that starts at `index` and stays in prose and in one sentence.
    private func matchingPhrase(at index: Int) -> SmellLexicon.Phrase? {
        guard numbers[index] >= 0 else { return nil }
        let sentence = tokens[index].sentence
        return lexicon.phrasesByFirstWord[Int(numbers[index])].first { phrase in
            guard index + phrase.rest.count < tokens.count else { return false }
            for (offset, word) in phrase.rest.enumerated() {
                let next = index + 1 + offset
                if tokens[next].isCode || tokens[next].sentence != sentence || numbers[next] != word { return false }
            }
            return true
        }
    }

    private func isSmell(_ rule: SmellLexicon.Rule, from first: Int, to last: Int) -> Bool {
        switch rule {
        case .always:
            return true
        case .measurable:
            // "shorter than 3 characters": the comparison's "than" belongs to the term's span.
            let end = last + 1 < tokens.count && flags(last + 1).contains(.than) ? last + 1 : last
            return !measured(from: first, to: end)
        case .negation(let kind):
            switch kind {
            case .core: break
            case .determiner:
                // "no refund is sent": a count of zero a test observes, not an open negative.
                if !options.flagsNo || zeroCount(first) { return false }
            case .preposition: if !options.flagsWithout { return false }
            }
            return !concreteOutcome(after: last) && !inCondition(first)
        case .pronoun(let kind):
            return isVaguePronoun(kind, at: first)
        }
    }

    private func isMeasure(_ index: Int) -> Bool {
        tokens[index].isNumber || flags(index).contains(.numberWord)
    }

    /// A number within the measuring window, in the same sentence: the term is being measured.
    private func measured(from first: Int, to last: Int) -> Bool {
        let sentence = tokens[first].sentence
        let window = max(0, first - options.measuringWindow)...min(tokens.count - 1, last + options.measuringWindow)
        return window.contains { ($0 < first || $0 > last) && tokens[$0].sentence == sentence && isMeasure($0) }
    }

    /// A number, code span, quoted value or identifier in the next four words of the sentence: the negation
    /// names what must not happen ("must not return 500", "is not above 200 ms", "never sets `paid`").
    private func concreteOutcome(after index: Int) -> Bool {
        let sentence = tokens[index].sentence
        var next = index + 1
        while next < tokens.count, next <= index + 4, tokens[next].sentence == sentence {
            if tokens[next].isCode || isMeasure(next) { return true }
            next += 1
        }
        return false
    }

    /// `no` + noun + verb ("no refund is sent", "no payout gets created"): the outcome is that none exists.
    private func zeroCount(_ index: Int) -> Bool {
        guard index + 2 < tokens.count, tokens[index + 2].sentence == tokens[index].sentence else { return false }
        return flags(index + 2).contains(.verb) && !flags(index + 1).contains(.verb)
    }

    /// Inside the Given/When part of a Given/When/Then criterion: a negated precondition or trigger
    /// ("given a user without the admin role") describes the test's setup, not what the system must not do.
    private func inCondition(_ index: Int) -> Bool {
        lastThen >= index && firstCondition < index
    }

    /// The next token's index when it is in the same sentence.
    private func next(after index: Int) -> Int? {
        index + 1 < tokens.count && tokens[index + 1].sentence == tokens[index].sentence ? index + 1 : nil
    }

    /// The previous token's index when it is in the same sentence.
    private func previous(before index: Int) -> Int? {
        index > 0 && tokens[index - 1].sentence == tokens[index].sentence ? index - 1 : nil
    }

    /// Something earlier in the sentence the pronoun could refer to.
    private func hasAntecedent(_ index: Int) -> Bool {
        if antecedents.before == nil {
            // One pass: per token, whether a qualifying token came earlier in its sentence (sentences are
            // numbered in order). Scanning back from every pronoun made a criterion of pronouns quadratic.
            var before = [Bool](repeating: false, count: tokens.count)
            var seen = false
            for earlier in tokens.indices {
                if earlier > 0, tokens[earlier].sentence != tokens[earlier - 1].sentence { seen = false }
                before[earlier] = seen
                if !flags(earlier).contains(.stopWord) && !isMeasure(earlier) && tokens[earlier].lowered.utf8.count > 2
                    && entry(earlier)?.termClass != .vaguePronoun
                {
                    seen = true
                }
            }
            antecedents.before = before
        }
        return antecedents.before![index]
    }

    private func isVaguePronoun(_ kind: SmellLexicon.Pronoun, at index: Int) -> Bool {
        let next = next(after: index), previous = previous(before: index)
        switch kind {
        case .it:
            guard options.flagsIt else { return false }
            if let next, flags(next).contains(.verb) {
                if (index + 2..<min(tokens.count, index + 5)).contains(where: { flags($0).contains(.expletiveMarker) }) { return false }
            }
            return !hasAntecedent(index)
        case .demonstrative:
            // "this payment": a determiner. "the payment that was refunded", "ensure that": relative or conjunction.
            if let next, !tokens[next].isCode, !flags(next).contains(.verb), !tokens[next].isNumber { return false }
            if tokens[index].lowered == "that", let previous, !flags(previous).contains(.beforePronounThat) { return false }
            return true
        case .personal:
            return options.flagsPersonal && !hasAntecedent(index)
        case .interrogative:
            return options.flagsInterrogative
        case .relative:
            return options.flagsWhich
        case .quantifier:
            // "all 3 rows", "each of the 5 retries" count; the scope is stated.
            return !(next.map(isMeasure) ?? false)
        case .one:
            if let previous, flags(previous).contains(.counting) { return false }
            guard let next else { return true }
            return flags(next).contains(.of) || flags(next).contains(.verb)
        }
    }
}
