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
        /// The words after the first, lowercased.
        var rest: [String]
        /// The whole phrase as listed.
        var text: String
        /// What the phrase is.
        var entry: Entry
    }

    /// Single words, lowercased.
    let words: [String: Entry]
    /// Phrases by their first word, longest first.
    let phrases: [String: [Phrase]]

    /// The lexicon, built once.
    static let shared = SmellLexicon()

    private init() {
        var words: [String: Entry] = [:]
        func add(_ list: String, _ termClass: RequirementSmells.TermClass, _ rule: Rule = .measurable) {
            for word in list.split(separator: " ") { words[String(word)] = Entry(termClass: termClass, rule: rule) }
        }
        add("""
            best worst most least highest lowest greatest largest smallest fastest slowest longest shortest biggest \
            easiest simplest strongest weakest nearest earliest cheapest quickest optimal optimally optimum ultimate \
            maximal newest furthest farthest safest finest deepest widest heaviest lightest
            """, .superlative)
        add("""
            more less fewer greater higher lower better worse faster slower larger smaller longer shorter bigger \
            earlier easier simpler cheaper stronger weaker quicker safer cleaner friendlier smarter wider narrower \
            heavier lighter deeper
            """, .comparative)
        add("""
            user-friendly friendly easy easily simple simply intuitive intuitively nice nicely elegant beautiful \
            seamless seamlessly efficient efficiently effective effectively convenient straightforward smooth \
            smoothly pleasant obvious obviously appealing polished fast rapid rapidly sufficient sufficiently \
            consistent consistently unambiguous cost-effective attractive comfortable powerful reasonable reasonably \
            normal normally average clean cleanly ergonomic helpful meaningful naturally transparently handy \
            lightweight modern responsive professional fresh important essential
            """, .subjective)
        add("""
            well appropriate appropriately suitable suitably adequate adequately acceptable acceptably proper \
            properly complete completely satisfactory satisfactorily competent ok okay fine good bad rather quite \
            fairly correct correctly gracefully robust robustly secure securely reliable reliably scalable \
            maintainable performant stable safely support supports supported improve improves improved enhance \
            enhanced enhances optimize optimise optimized optimised handle handles handled accommodate facilitate \
            facilitates right enough full fully minimum maximum minimize minimise maximize maximise
            """, .nonVerifiable)
        add("preferably optionally possibly etc", .loophole, .always)
        add("""
            other necessary possible different specific common general standard high additional particular short \
            various special certain relevant large several critical clear clearly typical typically major much low \
            basic potential regular regularly long relative relatively significant significantly immediate \
            immediately similar similarly few numerous close recent recently small quick quickly minimal minor \
            approximately almost nearly often sometimes usually generally mostly frequently rarely periodically soon \
            timely promptly slow slowly big huge tiny considerable considerably substantial substantially some \
            likely unlikely usual probably perhaps partially partly virtually mainly largely highly very extremely \
            flexible flexibly complex peak
            """, .ambiguousAdverbAdjective)
        for word in ["not", "never", "cannot", "can't", "don't", "doesn't", "won't", "shouldn't", "mustn't", "isn't", "aren't",
                     "wasn't", "weren't", "didn't", "couldn't", "wouldn't", "hasn't", "haven't", "nor", "neither", "none",
                     "nothing", "nobody", "nowhere", "n't"] {
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

        var phrases: [String: [Phrase]] = [:]
        func phrase(_ text: String, _ termClass: RequirementSmells.TermClass?, _ rule: Rule = .always) {
            let parts = text.split(separator: " ").map(String.init)
            phrases[parts[0], default: []].append(Phrase(rest: Array(parts.dropFirst()), text: text,
                                                         entry: Entry(termClass: termClass, rule: rule)))
        }
        for text in ["as fast as possible", "as soon as possible", "as much as possible", "as quickly as possible", "as appropriate",
                     "if possible", "where possible", "when possible", "as needed", "as required", "if necessary",
                     "where necessary", "when necessary", "as necessary", "as far as possible", "to the extent possible",
                     "if feasible", "where feasible", "where applicable", "if applicable", "as applicable", "and so on",
                     "and/or", "or similar", "if needed", "unless otherwise", "at a minimum", "or otherwise", "as desired",
                     "at the discretion of"] {
            phrase(text, .loophole)
        }
        for text in ["see above", "see below", "as above", "as below", "as described", "as discussed", "as mentioned",
                     "as agreed", "as specified", "as usual", "the usual", "the standard way", "as in the old system",
                     "like before", "as before", "than before", "as per the usual", "refer to the"] {
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
        for text in ["as well as", "whether or not", "not only", "if not", "each other", "one another", "no longer",
                     "at all times", "at any time", "all of the following", "the following"] {
            phrase(text, nil)
        }
        self.phrases = phrases.mapValues { $0.sorted { $0.rest.count > $1.rest.count } }
    }
}

extension RequirementSmells {
    /// The vague-term classes, their words and the context rules, for `docs/rules.md`.
    static var markdownReference: String {
        let lexicon = SmellLexicon.shared
        var text = "\n## acceptance.vague-term: classes and context\n\n"
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
            let phrases = lexicon.phrases.values.joined().filter { $0.entry.termClass == termClass }.map(\.text).sorted()
            text += "\n### \(termClass.rawValue)\n\n- Hint: \(termClass.hint)\n"
            if !words.isEmpty { text += "- Words: " + words.joined(separator: ", ") + "\n" }
            if !phrases.isEmpty { text += "- Phrases: " + phrases.joined(separator: ", ") + "\n" }
        }
        return text
    }
}
