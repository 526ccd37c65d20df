/// The words and phrases the requirement-smell detector knows, each with its class and the context rule
/// that decides whether an occurrence is a smell. Built once per process.
///
/// Sources: the examples of ISO/IEC/IEEE 29148 §5.2.7 (superlatives, subjective language, vague pronouns,
/// ambiguous adverbs and adjectives, open-ended non-verifiable terms, comparatives, loopholes, negative
/// statements), the lexicons of Femmer et al. (JSS 2017), the quantifiers of Berry and Kamsties' ambiguity
/// handbook, and English grammar's closed classes (pronouns, determiners, modals). Gradable and evaluative
/// adjectives are listed; classifying ones ("national", "electrical", "internal") are not, because they
/// name a kind of thing rather than leave a degree open.
struct SmellLexicon: Sendable {
    /// How an occurrence of a listed word is judged.
    enum Rule: Sendable, Equatable {
        /// A smell unless a number or unit stands within the measuring window ("within 200 ms").
        case measurable
        /// A smell wherever it appears in prose.
        case always
        /// A negation: fine when it states a prohibition with a concrete outcome ("must not return 500").
        case negation(Negation)
        /// A pronoun: fine when it is a determiner, a relative pronoun, an expletive or has an antecedent.
        case pronoun(Pronoun)
    }

    /// The negations, by how firmly they read as a negative statement.
    enum Negation: Sendable, Equatable {
        /// `not`, `never`, `cannot`, `n't` forms, `nor`, `neither`, `none`, `nothing`, `nobody`.
        case core
        /// `no` as a determiner ("no payout is created").
        case determiner
        /// `without`.
        case preposition
    }

    /// The pronouns, by the test that decides whether one is vague.
    enum Pronoun: Sendable, Equatable {
        /// `it`: vague only with no antecedent and not an expletive ("it is required that").
        case it
        /// `this`, `that`, `these`, `those`: pronouns only where no noun follows.
        case demonstrative
        /// `they`, `them`, `their`, `its`, `he`, `she`: personal pronouns, usually anaphoric.
        case personal
        /// `who`, `whom`, `whose`, `what`, `whatever`, `whichever`, `whoever`: open references to people or things.
        case interrogative
        /// `which`: usually a relative pronoun with a clear head.
        case relative
        /// `all`, `any`, `each`, `another`, `either`, `everything`, `someone`, …: quantifiers whose scope is open.
        case quantifier
        /// `one`: a quantifier unless it counts ("exactly one", "one row").
        case one
    }

    /// A listed word or phrase.
    struct Entry: Sendable {
        /// The class reported for it; nil for phrases that only shield their words ("as well as").
        var termClass: RequirementSmells.TermClass?
        /// The rule applied to each occurrence.
        var rule: Rule
    }

    /// A phrase of several words, matched word by word after its first word.
    struct Phrase: Sendable {
        /// The numbers (in `vocabulary`) of the words after the first.
        var rest: [Int32]
        /// The whole phrase as listed.
        var text: String
        /// What the phrase is.
        var entry: Entry
        /// Distinct from every word number and every other phrase's key: a found term is reported once.
        var key: Int
    }

    /// What the context rules ask of a word, answered once per token by its number.
    struct WordFlags: OptionSet, Sendable {
        let rawValue: UInt16
        /// Modals, auxiliaries and common verbs: after `this`/`that` they make it a pronoun.
        static let verb = WordFlags(rawValue: 1 << 0)
        /// Words that cannot be an antecedent.
        static let stopWord = WordFlags(rawValue: 1 << 1)
        /// Words before `one` that make it a count.
        static let counting = WordFlags(rawValue: 1 << 2)
        /// Number words: a measure like a digit.
        static let numberWord = WordFlags(rawValue: 1 << 3)
        /// After `it` + verb, these make `it` an expletive ("it is required that", "it shall be possible to").
        static let expletiveMarker = WordFlags(rawValue: 1 << 4)
        /// Before `that`, these leave it a pronoun ("and that", "of that"); after other words it is relative.
        static let beforePronounThat = WordFlags(rawValue: 1 << 5)
        /// `than`, which belongs to a comparative's span.
        static let than = WordFlags(rawValue: 1 << 6)
        /// `then`, which opens the outcome of a criterion.
        static let then = WordFlags(rawValue: 1 << 7)
        /// `given` and `when`, which open its conditions.
        static let condition = WordFlags(rawValue: 1 << 8)
        /// `of`, after which `one` is a pronoun ("one of the agents").
        static let of = WordFlags(rawValue: 1 << 9)
    }

    /// Single words, lowercased, as listed.
    let words: [String: Entry]
    /// Every phrase, as listed.
    let allPhrases: [Phrase]
    /// Every word the rules know (listed words, phrases' words, flagged words), numbered from 0.
    let vocabulary: [String: Int32]
    /// By word number: the word's entry, if it is listed on its own.
    let entries: [Entry?]
    /// By word number: the phrases that start with the word, longest first.
    let phrasesByFirstWord: [[Phrase]]
    /// By word number: what the context rules ask of it.
    let flags: [WordFlags]

    /// The number of `word` in `vocabulary`, or -1: the one hash lookup a token costs.
    func number(of word: String) -> Int32 { vocabulary[word] ?? -1 }

    /// The lexicon, built once.
    static let shared = SmellLexicon()

    private init() {
        var words: [String: Entry] = [:]
        func add(_ list: String, _ termClass: RequirementSmells.TermClass, _ rule: Rule = .measurable) {
            for word in list.split(separator: " ") { words[String(word)] = Entry(termClass: termClass, rule: rule) }
        }
        add(
            """
            best worst most least highest lowest greatest largest smallest fastest slowest longest shortest biggest \
            easiest simplest strongest weakest nearest earliest cheapest quickest optimal optimally optimum ultimate \
            maximal newest furthest farthest safest finest deepest widest heaviest lightest
            """, .superlative)
        add(
            """
            more less fewer greater higher lower better worse faster slower larger smaller longer shorter bigger \
            earlier easier simpler cheaper stronger weaker quicker safer cleaner friendlier smarter wider narrower \
            heavier lighter deeper
            """, .comparative)
        add(
            """
            user-friendly friendly easy easily simple simply intuitive intuitively nice nicely elegant beautiful \
            seamless seamlessly efficient efficiently effective effectively convenient straightforward smooth \
            smoothly pleasant obvious obviously appealing polished fast rapid rapidly sufficient sufficiently \
            consistent consistently unambiguous cost-effective attractive comfortable powerful reasonable reasonably \
            normal normally average clean cleanly ergonomic helpful meaningful naturally transparently handy \
            lightweight modern responsive professional fresh important essential
            """, .subjective)
        add(
            """
            well appropriate appropriately suitable suitably adequate adequately acceptable acceptably proper \
            properly complete completely satisfactory satisfactorily competent ok okay fine good bad rather quite \
            fairly correct correctly gracefully robust robustly secure securely reliable reliably scalable \
            maintainable performant stable safely support supports supported improve improves improved enhance \
            enhanced enhances optimize optimise optimized optimised handle handles handled accommodate facilitate \
            facilitates right enough full fully minimum maximum minimize minimise maximize maximise
            """, .nonVerifiable)
        add("preferably optionally possibly etc", .loophole, .always)
        add(
            """
            other necessary possible different specific common general standard high additional particular short \
            various special certain relevant large several critical clear clearly typical typically major much low \
            basic potential regular regularly long relative relatively significant significantly immediate \
            immediately similar similarly few numerous close recent recently small quick quickly minimal minor \
            approximately almost nearly often sometimes usually generally mostly frequently rarely periodically soon \
            timely promptly slow slowly big huge tiny considerable considerably substantial substantially some \
            likely unlikely usual probably perhaps partially partly virtually mainly largely highly very extremely \
            flexible flexibly complex peak
            """, .ambiguousAdverbAdjective)
        for word in [
            "not", "never", "cannot", "can't", "don't", "doesn't", "won't", "shouldn't", "mustn't", "isn't", "aren't",
            "wasn't", "weren't", "didn't", "couldn't", "wouldn't", "hasn't", "haven't", "nor", "neither", "none",
            "nothing", "nobody", "nowhere", "n't",
        ] {
            words[word] = Entry(termClass: .negative, rule: .negation(.core))
        }
        words["no"] = Entry(termClass: .negative, rule: .negation(.determiner))
        words["without"] = Entry(termClass: .negative, rule: .negation(.preposition))
        func pronouns(_ list: String, _ kind: Pronoun) {
            for word in list.split(separator: " ") { words[String(word)] = Entry(termClass: .vaguePronoun, rule: .pronoun(kind)) }
        }
        pronouns("it", .it)
        pronouns("this that these those", .demonstrative)
        pronouns("they them their theirs its he she him her", .personal)
        pronouns("who whom whose what whatever whichever whoever", .interrogative)
        pronouns("which", .relative)
        pronouns("all any each another either everything everyone everybody anything anyone anybody someone somebody something", .quantifier)
        pronouns("one", .one)
        self.words = words

        var vocabulary: [String: Int32] = [:]
        func number(_ word: String) -> Int32 {
            if let known = vocabulary[word] { return known }
            vocabulary[word] = Int32(vocabulary.count)
            return Int32(vocabulary.count - 1)
        }
        for word in words.keys.sorted() { _ = number(word) }
        var listed: [(first: Int32, phrase: Phrase)] = []
        func phrase(_ text: String, _ termClass: RequirementSmells.TermClass?, _ rule: Rule = .always) {
            let parts = text.split(separator: " ").map { number(String($0)) }
            listed.append(
                (
                    parts[0],
                    Phrase(
                        rest: Array(parts.dropFirst()), text: text, entry: Entry(termClass: termClass, rule: rule),
                        key: -1 - listed.count)
                ))
        }
        for text in [
            "as fast as possible", "as soon as possible", "as much as possible", "as quickly as possible", "as appropriate",
            "if possible", "where possible", "when possible", "as needed", "as required", "if necessary",
            "where necessary", "when necessary", "as necessary", "as far as possible", "to the extent possible",
            "if feasible", "where feasible", "where applicable", "if applicable", "as applicable", "and so on",
            "and/or", "or similar", "if needed", "unless otherwise", "at a minimum", "or otherwise", "as desired",
            "at the discretion of",
        ] {
            phrase(text, .loophole)
        }
        for text in [
            "see above", "see below", "as above", "as below", "as described", "as discussed", "as mentioned",
            "as agreed", "as specified", "as usual", "the usual", "the standard way", "as in the old system",
            "like before", "as before", "than before", "as per the usual", "refer to the",
        ] {
            phrase(text, .incompleteReference)
        }
        phrase("as a minimum", .nonVerifiable)
        phrase("but not limited to", .nonVerifiable)
        phrase("not limited to", .nonVerifiable)
        phrase("provide support", .nonVerifiable)
        phrase("state of the art", .nonVerifiable)
        phrase("best practices", .nonVerifiable)
        phrase("best practice", .nonVerifiable)
        phrase("as expected", .nonVerifiable)
        phrase("no one", .negative, .negation(.core))
        phrase("user friendly", .subjective)
        phrase("easy to use", .subjective)
        phrase("in a timely manner", .ambiguousAdverbAdjective)
        phrase("at least", .superlative, .measurable)
        phrase("at most", .superlative, .measurable)
        phrase("more than", .comparative, .measurable)
        phrase("less than", .comparative, .measurable)
        phrase("fewer than", .comparative, .measurable)
        // Fixed expressions whose words are not smells on their own.
        for text in [
            "as well as", "whether or not", "not only", "if not", "each other", "one another", "no longer",
            "at all times", "at any time", "all of the following", "the following",
        ] {
            phrase(text, nil)
        }
        var flagged: [Int32: WordFlags] = [:]
        func flag(_ list: String, _ flag: WordFlags) {
            for word in list.split(separator: " ") { flagged[number(String(word)), default: []].insert(flag) }
        }
        flag(
            """
            is are was were will would should must shall can could may might has have had does do did returns return \
            becomes shows fails succeeds contains means happens works gets stays includes requires provides allows \
            needs applies
            """, .verb)
        flag(
            """
            given when then and but if the a an is are be to of in on for with by at as or so after before once while \
            where which who whom whose also all any each every should must shall will can may has have was were there \
            here only just ac not no
            """, .stopWord)
        flag("exactly only just least most than per every no", .counting)
        flag(
            "zero two three four five six seven eight nine ten eleven twelve twenty hundred thousand million twice half",
            .numberWord)
        flag(
            "that to required necessary possible recommended expected assumed important essential envisaged desirable likely mandatory",
            .expletiveMarker)
        flag("and but or of to with for", .beforePronounThat)
        flag("than", .than)
        flag("then", .then)
        flag("given when", .condition)
        flag("of", .of)

        self.allPhrases = listed.map(\.phrase)
        self.vocabulary = vocabulary
        let count = vocabulary.count
        var entries = [Entry?](repeating: nil, count: count)
        for (word, entry) in words { entries[Int(vocabulary[word]!)] = entry }
        self.entries = entries
        var byFirst = [[Phrase]](repeating: [], count: count)
        for (first, phrase) in listed { byFirst[Int(first)].append(phrase) }
        // Longest first; among equals, as listed (a stable sort), so matching is deterministic.
        self.phrasesByFirstWord = byFirst.map { phrases in
            phrases.enumerated().sorted { ($0.element.rest.count, $1.offset) > ($1.element.rest.count, $0.offset) }.map(\.element)
        }
        var flags = [WordFlags](repeating: [], count: count)
        for (word, value) in flagged { flags[Int(word)] = value }
        self.flags = flags
    }
}

extension RequirementSmells {
    /// The vague-term classes, their words and the context rules, for `docs/rules.md`.
    static var markdownReference: String {
        let lexicon = SmellLexicon.shared
        var text =
            "\n## acceptance.vague-term: classes and context\n\n"
            + "Each finding names the term, its class, the line and column, and the class's hint. Listed words and "
            + "phrases (from ISO/IEC/IEEE 29148's examples, Femmer et al.'s lexicons and English closed classes) are "
            + "judged in context:\n\n"
            + "- Code spans, quoted text, identifiers (`snake_case`, `camelCase`), paths and URLs are never smells.\n"
            + "- A term with a number beside it is measured, not vague (\"more than 100 requests\", \"at most 3 retries\").\n"
            + "- A negation followed by a concrete outcome (a number, a code span, a quoted value) is a prohibition a test "
            + "can check (\"must not return 500\"); so is one in the Given/When part of a Given/When/Then criterion.\n"
            + "- `this`, `that`, `these`, `those` before a noun are determiners; `that` after a noun or verb is relative.\n"
            + "- `it` is an expletive in \"it is required that …\"; quantifiers followed by a number state their scope; "
            + "`one` after \"exactly\", \"only\", \"at least\" or before a noun counts.\n"
            + "- Fixed expressions (\"as well as\", \"whether or not\", \"not only\") shield their words.\n"
            + "- Shipped settings: \(Options.shipped).\n"
        for termClass in TermClass.allCases {
            let words = lexicon.words.filter { $0.value.termClass == termClass }.keys.sorted()
            let phrases = lexicon.allPhrases.filter { $0.entry.termClass == termClass }.map(\.text).sorted()
            text += "\n### \(termClass.rawValue)\n\n- Hint: \(termClass.hint)\n"
            if !words.isEmpty { text += "- Words: " + words.joined(separator: ", ") + "\n" }
            if !phrases.isEmpty { text += "- Phrases: " + phrases.joined(separator: ", ") + "\n" }
        }
        return text
    }
}
