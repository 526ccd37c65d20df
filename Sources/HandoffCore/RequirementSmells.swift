/// Finds requirement smells in one acceptance criterion: vague terms by class, a missing observable
/// outcome, and several behaviours in one criterion.
///
/// Word lists alone are noisy, so context decides: a term beside a number or unit is measured, not vague
/// ("within 200 ms"); a pronoun after a noun of the same sentence has an antecedent; code spans, quoted
/// text, identifiers, paths and URLs are never smells.
public enum RequirementSmells {
    /// The classes of vague terms (after the requirements-smell literature).
    public enum TermClass: String, Sendable, CaseIterable {
        case superlative, subjective, comparative, negative, loophole
        case vaguePronoun = "vague-pronoun"
        case ambiguousAdverbAdjective = "ambiguous-adverb-adjective"
        case nonVerifiable = "non-verifiable"
        case incompleteReference = "incomplete-reference"
    }

    /// A vague term found in a criterion.
    public struct VagueTerm: Sendable, Hashable {
        /// The term as written (a word or phrase).
        public var term: String
        /// Its class.
        public var termClass: TermClass
    }

    static let words: [TermClass: Set<String>] = [
        .superlative: ["best", "fastest", "quickest", "highest", "lowest", "most", "least", "greatest", "smallest", "largest",
                       "optimal", "optimally", "ultimate", "biggest", "cheapest", "easiest", "simplest", "strongest", "maximal", "minimal"],
        .subjective: ["user-friendly", "friendly", "easy", "easily", "simple", "simply", "intuitive", "intuitively", "nice", "clean",
                      "elegant", "beautiful", "seamless", "seamlessly", "flexible", "efficient", "efficiently", "reasonable", "reasonably",
                      "acceptable", "adequate", "adequately", "good", "bad", "modern", "convenient", "straightforward", "smooth",
                      "smoothly", "pleasant", "clear", "clearly", "obvious", "obviously", "nicely", "cleanly", "appealing", "polished"],
        .comparative: ["better", "faster", "quicker", "higher", "lower", "more", "less", "fewer", "greater", "smaller", "larger",
                       "improved", "easier", "simpler", "cheaper", "stronger", "bigger", "worse", "slower"],
        .ambiguousAdverbAdjective: ["fast", "quick", "quickly", "slow", "slowly", "large", "small", "big", "many", "few", "several",
                                    "some", "often", "rarely", "frequently", "usually", "normally", "typically", "significant",
                                    "significantly", "sufficient", "sufficiently", "enough", "high", "low", "soon", "recent",
                                    "recently", "various", "timely", "promptly", "almost", "nearly", "mostly", "generally",
                                    "reasonably", "relatively", "huge", "tiny", "minor", "major", "considerable", "substantial"],
        .nonVerifiable: ["properly", "correctly", "proper", "gracefully", "robust", "robustly", "secure", "securely", "reliable",
                         "reliably", "scalable", "maintainable", "performant", "stable", "safely", "smart", "intelligently",
                         "state-of-the-art", "best-practice", "industry-standard", "handle", "handles", "handled", "supports"],
        .negative: ["not", "never", "cannot", "can't", "don't", "doesn't", "won't", "shouldn't", "mustn't", "isn't", "aren't",
                    "wasn't", "weren't", "nor", "neither"],
        .vaguePronoun: ["it", "this", "that", "they", "them", "these", "those", "its", "their"],
    ]

    static let phrases: [(String, TermClass)] = [
        ("as fast as possible", .loophole), ("as soon as possible", .loophole), ("as much as possible", .loophole),
        ("as quickly as possible", .loophole), ("as appropriate", .loophole), ("if possible", .loophole), ("where possible", .loophole), ("when possible", .loophole),
        ("as needed", .loophole), ("as required", .loophole), ("if necessary", .loophole), ("where necessary", .loophole),
        ("when necessary", .loophole), ("as far as possible", .loophole), ("to the extent possible", .loophole),
        ("if feasible", .loophole), ("where applicable", .loophole), ("if applicable", .loophole), ("and so on", .loophole),
        ("etc", .loophole), ("and/or", .loophole), ("or similar", .loophole), ("if needed", .loophole), ("unless otherwise", .loophole),
        ("see above", .incompleteReference), ("see below", .incompleteReference), ("as above", .incompleteReference),
        ("as below", .incompleteReference), ("as described", .incompleteReference), ("as discussed", .incompleteReference),
        ("as mentioned", .incompleteReference), ("as agreed", .incompleteReference), ("as specified", .incompleteReference),
        ("as usual", .incompleteReference), ("the usual", .incompleteReference), ("the standard way", .incompleteReference),
        ("as in the old system", .incompleteReference), ("like before", .incompleteReference), ("as before", .incompleteReference),
        ("than before", .incompleteReference),
        ("user friendly", .subjective), ("state of the art", .nonVerifiable), ("best practices", .nonVerifiable),
        ("work as expected", .nonVerifiable), ("works as expected", .nonVerifiable), ("behaves as expected", .nonVerifiable),
        ("handled correctly", .nonVerifiable), ("handle errors", .nonVerifiable), ("in a timely manner", .ambiguousAdverbAdjective),
    ]

    static let units: Set<String> = ["ms", "millisecond", "milliseconds", "s", "sec", "second", "seconds", "minute", "minutes",
                                     "hour", "hours", "day", "days", "%", "percent", "kb", "mb", "gb", "kib", "mib", "gib", "eur",
                                     "usd", "gbp", "requests", "rps", "items", "times", "bytes", "characters", "chars", "rows",
                                     "records", "retries", "attempts", "entries", "users", "req/s", "qps"]

    /// Words that follow a determiner use of this/that/these/those (so it is not a pronoun).
    static let verbs: Set<String> = ["is", "are", "was", "were", "will", "would", "should", "must", "can", "could", "may",
                                     "might", "has", "have", "had", "does", "do", "did", "returns", "return", "becomes",
                                     "shows", "fails", "succeeds", "contains", "means", "happens", "works", "gets", "stays"]

    static let stopWords: Set<String> = ["given", "when", "then", "and", "but", "if", "the", "a", "an", "is", "are", "be",
                                         "to", "of", "in", "on", "for", "with", "by", "at", "as", "or", "so", "after", "before",
                                         "once", "while", "where", "which", "who", "whom", "whose", "also", "all", "any", "each",
                                         "every", "should", "must", "shall", "will", "can", "may", "has", "have", "was", "were",
                                         "there", "here", "only", "just", "ac"]

    /// A word of the criterion with what the detector needs to know about its surroundings.
    struct Token {
        var text: String
        var lowered: String
        var isMeasure: Bool
        var sentence: Int
        var isCode: Bool
    }

    /// Splits `text` into words, marking code spans, quoted text and identifier-like words as code.
    static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var inCode = false, inQuote = false
        var sentence = 0
        func flush() {
            guard !current.isEmpty else { return }
            let trimmed = current.trimmingCharacters(in: .punctuationCharacters.subtracting(["%", "'", "-", "/"]))
            if !trimmed.isEmpty {
                let looksLikeCode = trimmed.hasPrefix("/") && trimmed.count > 1 || trimmed.contains("_") || trimmed.contains("://")
                    || (trimmed.contains("/") && trimmed.contains("."))
                    || trimmed.dropFirst().contains(where: \.isUppercase) && trimmed.contains(where: \.isLowercase)
                    || (trimmed.contains(".") && !trimmed.hasSuffix("."))
                // A unit measures only right after a number: "200 ms", not "refund requests".
                let afterNumber = tokens.last.map { $0.text.contains(where: \.isNumber) && $0.sentence == sentence } ?? false
                tokens.append(Token(text: trimmed, lowered: trimmed.lowercased(),
                                    isMeasure: trimmed.contains(where: \.isNumber) || (afterNumber && units.contains(trimmed.lowercased())),
                                    sentence: sentence, isCode: inCode || inQuote || looksLikeCode))
            }
            current = ""
        }
        for character in text {
            switch character {
            case "`":
                flush()
                inCode.toggle()
            case "\"", "“", "”":
                flush()
                inQuote.toggle()
            case " ", "\t", "\n", ",", ";", "(", ")", "[", "]":
                flush()
                if character == ";" { sentence += 1 }
            case ".", "!", "?":
                // A period ends a sentence only before a space or the end (not in 1.5 or v1.2).
                current.append(character)
            default:
                current.append(character)
            }
            if character == " ", let last = tokens.last?.text.last, ".!?".contains(last) { sentence += 1 }
        }
        flush()
        return tokens
    }

    /// The vague terms of one criterion, in order of appearance, each term once.
    public static func vagueTerms(in text: String) -> [VagueTerm] {
        let tokens = tokens(text)
        var found: [VagueTerm] = []
        var seen = Set<String>()
        func add(_ term: String, _ termClass: TermClass) {
            if seen.insert(term.lowercased()).inserted { found.append(VagueTerm(term: term, termClass: termClass)) }
        }
        let prose = tokens.filter { !$0.isCode }.map(\.lowered).joined(separator: " ")
        var phraseWords = Set<String>()
        for (phrase, termClass) in phrases where containsPhrase(prose, phrase) {
            add(phrase, termClass)
            // Words of a loophole or reference phrase are reported with it; an "as fast as possible" keeps "fast".
            if termClass != .loophole || !phrase.hasSuffix("as possible") {
                phraseWords.formUnion(phrase.split(separator: " ").map(String.init))
            }
        }
        for (index, token) in tokens.enumerated() where !token.isCode {
            guard let termClass = classify(token.lowered) else { continue }
            if seen.contains(token.lowered) || phraseWords.contains(token.lowered) { continue }
            switch termClass {
            case .ambiguousAdverbAdjective, .comparative, .superlative:
                if measured(near: index, in: tokens) { continue }
            case .vaguePronoun:
                if !isVaguePronoun(at: index, in: tokens) { continue }
            case .negative:
                if measured(near: index, in: tokens) { continue }  // "not more than 5", "never above 3 %"
            default:
                break
            }
            add(token.text, termClass)
        }
        return found
    }

    /// Verbs that open a task rather than a testable statement: "Implement refunds", "Support webhooks".
    static let taskVerbs: Set<String> = ["implement", "support", "add", "build", "develop", "provide", "enable", "allow",
                                         "improve", "refactor", "make", "integrate", "migrate", "setup", "design", "introduce",
                                         "extend", "retry", "optimize", "optimise", "clean", "rework", "investigate", "consider"]
    /// Verbs of impression: what a user feels is not what a test observes.
    static let impressionVerbs: Set<String> = ["feel", "feels", "seem", "seems", "look", "looks", "appear", "appears"]

    /// True when the criterion describes a task or an impression instead of an outcome a test can observe.
    public static func lacksObservableOutcome(_ text: String) -> Bool {
        let words = tokens(text).filter { !$0.isCode }
        if words.contains(where: { $0.lowered == "then" || $0.isMeasure }) { return false }
        if let first = words.first(where: { !["given", "when", "and", "the", "a", "an", "we", "you"].contains($0.lowered) }),
           taskVerbs.contains(first.lowered) {
            return true
        }
        return words.contains { impressionVerbs.contains($0.lowered) }
    }

    /// True when the criterion bundles several behaviours (several whens, several thens, `and then`).
    public static func isNotSingular(_ text: String) -> Bool {
        let words = tokens(text).filter { !$0.isCode }.map(\.lowered)
        let whens = words.filter { $0 == "when" }.count
        let thens = words.filter { $0 == "then" }.count
        let joined = words.joined(separator: " ")
        return whens > 1 || thens > 1 || joined.contains("and then") || joined.contains("and also")
    }

    static func classify(_ word: String) -> TermClass? {
        for termClass in [TermClass.negative, .vaguePronoun, .superlative, .comparative, .nonVerifiable, .subjective,
                          .ambiguousAdverbAdjective] where words[termClass]?.contains(word) == true {
            return termClass
        }
        return nil
    }

    private static func containsPhrase(_ prose: String, _ phrase: String) -> Bool {
        var searchRange = prose.startIndex..<prose.endIndex
        while let range = prose.range(of: phrase, range: searchRange) {
            let before = range.lowerBound == prose.startIndex ? " " : prose[prose.index(before: range.lowerBound)]
            let after = range.upperBound == prose.endIndex ? " " : prose[range.upperBound]
            if !before.isLetter, !after.isLetter { return true }
            searchRange = range.upperBound..<prose.endIndex
        }
        return false
    }

    /// A number or unit within three words, in the same sentence: the term is being measured.
    private static func measured(near index: Int, in tokens: [Token]) -> Bool {
        let window = max(0, index - 3)...min(tokens.count - 1, index + 3)
        return window.contains { tokens[$0].isMeasure && tokens[$0].sentence == tokens[index].sentence && $0 != index }
    }

    /// A pronoun is vague when nothing it could refer to precedes it in its sentence; `this`/`that`
    /// before a noun are determiners, and `that` after a noun is a relative pronoun.
    private static func isVaguePronoun(at index: Int, in tokens: [Token]) -> Bool {
        let word = tokens[index].lowered
        if ["this", "that", "these", "those"].contains(word) {
            if index + 1 < tokens.count, !verbs.contains(tokens[index + 1].lowered), tokens[index + 1].sentence == tokens[index].sentence {
                return false  // determiner: "this payment"
            }
            if word == "that", index > 0, tokens[index - 1].sentence == tokens[index].sentence,
               !stopWords.contains(tokens[index - 1].lowered) {
                return false  // relative: "the payment that was refunded"
            }
        }
        let antecedent = tokens[..<index].contains { token in
            token.sentence == tokens[index].sentence && !stopWords.contains(token.lowered) && !token.isMeasure
                && classify(token.lowered) != .vaguePronoun && token.text.count > 2
        }
        return !antecedent
    }
}
