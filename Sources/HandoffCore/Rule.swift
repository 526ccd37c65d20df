/// A readiness rule: a stable dotted id, a default severity, why it exists and how to fix what it finds.
public struct Rule: Sendable, Hashable, Identifiable {
    /// Stable dotted id, e.g. `manifest.scope-ongoing`. Never renamed: configurations and CI refer to it.
    public var id: String
    /// Severity unless a policy overrides it.
    public var severity: Severity
    /// One line: why the rule exists.
    public var why: String
    /// One line: how to fix what it finds.
    public var fix: String
}

extension Rule {
    // MARK: Files and entries: every file of a packet is untrusted.

    /// A file is over the size limit.
    public static let fileTooLarge = Rule(
        id: "file.too-large", severity: .error,
        why: "Specs are read by people and checked by a daemon; a huge file helps neither and costs both.",
        fix: "Keep each packet file under the limit; link large material instead of committing it.")
    /// A text file is not valid UTF-8.
    public static let fileNotUTF8 = Rule(
        id: "file.not-utf8", severity: .error,
        why: "Packet documents must read the same on every machine.",
        fix: "Save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).")
    /// A text file holds binary data.
    public static let fileBinary = Rule(
        id: "file.binary", severity: .error,
        why: "A binary file where a document belongs cannot be read or reviewed.",
        fix: "Replace it with the text document, or move the binary out of the packet's documents.")
    /// A packet holds a symlink or submodule where a file belongs.
    public static let unsupportedEntry = Rule(
        id: "packet.unsupported-entry", severity: .error,
        why: "Symlinks and submodules point outside the packet, so what was checked is not what is read.",
        fix: "Replace the symlink or submodule with a real file inside the packet.")
    /// A folder under the packet root whose name is not a packet id.
    public static let invalidPacketID = Rule(
        id: "packet.invalid-id", severity: .error,
        why: "The folder name is the packet's id in trailers and status files, so it must be one token.",
        fix: "Rename the folder to match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (e.g. PAY-142).")
    /// Too many files to check.
    public static let tooManyFiles = Rule(
        id: "packet.too-many-files", severity: .error,
        why: "A packet is a spec, not a code base; checking is bounded so one packet cannot stall the daemon.",
        fix: "Move deliverables or generated material out of the packet folder.")

    /// The commit's checks ran out of budget before this packet was checked in full.
    public static let checkBudgetExhausted = Rule(
        id: "packet.check-budget-exhausted", severity: .error,
        why: "One commit's checks are bounded (bytes, YAML values, findings, packets), so no commit can stall the daemon.",
        fix: "Split the change into smaller commits, or move bulk material out of the packets; the next commit touching the packet checks it again.")

    // MARK: Policy

    /// The repository's policy file has a problem; the defaults stand for the part that could not be read.
    public static let policyInvalid = Rule(
        id: "policy.invalid", severity: .error,
        why: "The policy decides what ready means and who may do what; a misread policy misjudges every packet.",
        fix: "Fix .handoff/policy.yaml at the reported line (every setting is described in docs/policy.md).")

    // MARK: Manifest

    /// `handoff.yaml` is missing.
    public static let manifestMissing = Rule(
        id: "manifest.missing", severity: .error,
        why: "The manifest names the packet, its scope, its owner and its reviewers.",
        fix: "Add handoff.yaml with id, title, scope, client and reviewers (handoff init scaffolds one).")
    /// `handoff.yaml` does not parse or is not a mapping.
    public static let manifestInvalid = Rule(
        id: "manifest.invalid", severity: .error,
        why: "A manifest that does not parse cannot say what the packet is.",
        fix: "Fix the YAML at the reported line; the manifest must be a mapping of plain keys and values.")
    /// A required manifest field is absent or empty.
    public static let manifestFieldMissing = Rule(
        id: "manifest.field-missing", severity: .error,
        why: "id, title, scope, client and reviewers are what a contractor needs to know whom the work is for.",
        fix: "Add the missing field with a real value.")
    /// The manifest's id differs from the folder name.
    public static let manifestIDMismatch = Rule(
        id: "manifest.id-mismatch", severity: .error,
        why: "The folder name is the packet's id in trailers and status files; the manifest must agree.",
        fix: "Make the manifest's id equal the folder name (or rename the folder).")
    /// The packet describes ongoing ownership.
    public static let manifestScopeOngoing = Rule(
        id: "manifest.scope-ongoing", severity: .error,
        why: "Ongoing ownership needs an embedded engineer: that is a hiring problem, not a handoff.",
        fix: "Cut the work into a finite piece with a finish line and set scope: finite.")
    /// A dependency names no known packet.
    public static let manifestUnknownDependency = Rule(
        id: "manifest.unknown-dependency", severity: .error,
        why: "A contractor cannot start work that waits on a packet nobody wrote.",
        fix: "Name existing packet ids in depends_on, or remove the entry.")

    // MARK: Context

    /// `context.md` is missing.
    public static let contextMissing = Rule(
        id: "context.missing", severity: .error,
        why: "System knowledge that lives in one engineer's head is what makes handoffs slow.",
        fix: "Add context.md with the required sections.")
    /// A required section heading is absent.
    public static let contextSectionMissing = Rule(
        id: "context.section-missing", severity: .error,
        why: "Each required section answers a question a contractor would otherwise ask in a meeting.",
        fix: "Add the section as a second-level heading (## Name) and write it.")
    /// A required section has no real prose.
    public static let contextSectionEmpty = Rule(
        id: "context.section-empty", severity: .error,
        why: "A heading without content answers nothing.",
        fix: "Write at least a few sentences under the heading.")
    /// A placeholder such as TBD or TODO.
    public static let contextPlaceholder = Rule(
        id: "context.placeholder", severity: .error,
        why: "A placeholder is a question the contractor cannot answer alone.",
        fix: "Replace the placeholder with the actual information.")

    /// A relative link that does not resolve.
    public static let contextBrokenLink = Rule(
        id: "context.broken-link", severity: .error,
        why: "A link to a file that is not in the repository sends the contractor to ask instead of read.",
        fix: "Commit the linked file in the same change, or fix the link's path (relative to context.md).")

    // MARK: Contracts

    /// No contract in `contracts/`.
    public static let contractsMissing = Rule(
        id: "contracts.missing", severity: .error,
        why: "Without an API contract, the interface is settled in conversation instead of in writing.",
        fix: "Add at least one contract (OpenAPI, JSON Schema or GraphQL SDL) under contracts/.")

    /// A contract file does not parse.
    public static let contractsParseError = Rule(
        id: "contracts.parse-error", severity: .error,
        why: "A contract that does not parse cannot be built against.",
        fix: "Fix the syntax at the reported line (YAML or JSON).")
    /// An OpenAPI document breaks the specification.
    public static let contractsOpenAPIInvalid = Rule(
        id: "contracts.openapi-invalid", severity: .error,
        why: "Generators, mocks and the contractor's tests all read the contract; an invalid one misleads all three.",
        fix: "Fix the structure at the reported line: required fields, $ref targets, path parameters, unique operationIds.")
    /// An operation has no operationId.
    public static let contractsOperationIDMissing = Rule(
        id: "contracts.operation-id-missing", severity: .warning,
        why: "Criteria, generated clients and delivery notes name operations by operationId.",
        fix: "Give the operation a unique operationId, e.g. createRefund.")
    /// No success response with a schema.
    public static let contractsSuccessResponseMissing = Rule(
        id: "contracts.success-response-missing", severity: .warning,
        why: "Without a 2xx schema the contractor has to guess what a successful call returns.",
        fix: "Document a 2xx response with a content schema (204 needs none).")
    /// No 4xx response.
    public static let contractsErrorResponseMissing = Rule(
        id: "contracts.error-response-missing", severity: .warning,
        why: "Error behaviour is where integrations break; undocumented, it is settled in a meeting.",
        fix: "Document at least one 4xx response and what triggers it.")
    /// Security is not stated or names an undefined scheme.
    public static let contractsSecurityUndefined = Rule(
        id: "contracts.security-undefined", severity: .warning,
        why: "Who may call an endpoint is part of its contract.",
        fix: "Declare security (or `security: []` for a public endpoint) and define each scheme under components.securitySchemes.")
    /// A JSON Schema that does not parse or is not a schema.
    public static let contractsSchemaInvalid = Rule(
        id: "contracts.schema-invalid", severity: .error,
        why: "A schema that is not one validates nothing.",
        fix: "Fix the schema at the reported line (types, properties, $ref).")
    /// GraphQL SDL that does not build.
    public static let contractsGraphQLInvalid = Rule(
        id: "contracts.graphql-invalid", severity: .error,
        why: "An SDL that does not build cannot serve as the API's contract.",
        fix: "Fix the SDL at the reported line; every referenced type must be defined.")
    /// A file in contracts/ of no known format.
    public static let contractsUnknownFormat = Rule(
        id: "contracts.unknown-format", severity: .warning,
        why: "Only OpenAPI 3.0/3.1, JSON Schema and GraphQL SDL are checked; anything else is read by humans only.",
        fix: "Use one of the checked formats, or move the file out of contracts/.")

    // MARK: Acceptance criteria

    /// No acceptance criteria file.
    public static let acceptanceMissing = Rule(
        id: "acceptance.missing", severity: .error,
        why: "Acceptance criteria are the written definition of done.",
        fix: "Add acceptance.md with criteria such as '- [ ] AC-1: Given …, when …, then …'.")
    /// The criteria file holds no criterion.
    public static let acceptanceEmpty = Rule(
        id: "acceptance.empty", severity: .error,
        why: "A definition of done with nothing in it accepts anything.",
        fix: "List at least one criterion as '- [ ] AC-1: …'.")
    /// A criterion has no `AC-n` id.
    public static let acceptanceIDMissing = Rule(
        id: "acceptance.id-missing", severity: .error,
        why: "The delivery note maps every criterion id to evidence; a criterion without an id cannot be mapped.",
        fix: "Start the criterion with a unique id: '- [ ] AC-7: …'.")
    /// Two criteria share an id.
    public static let acceptanceIDDuplicate = Rule(
        id: "acceptance.id-duplicate", severity: .error,
        why: "Evidence for a duplicated id is ambiguous.",
        fix: "Give each criterion its own AC-n id.")
    /// A vague or unmeasurable term in a criterion.
    public static let acceptanceVagueTerm = Rule(
        id: "acceptance.vague-term", severity: .warning,
        why: "A vague term ('fast', 'user-friendly', 'as appropriate') lets each side read a different finish line.",
        fix: "Replace the term with something measurable or observable (a number, a unit, a status, a named field).")
    /// A criterion without an observable outcome.
    public static let acceptanceNoObservableOutcome = Rule(
        id: "acceptance.no-observable-outcome", severity: .warning,
        why: "A criterion is tested by observing something; without an outcome there is nothing to check.",
        fix: "State the outcome: 'then the response is 201', 'then the event is published'.")
    /// Several behaviours in one criterion.
    public static let acceptanceNotSingular = Rule(
        id: "acceptance.not-singular", severity: .warning,
        why: "Several behaviours in one criterion cannot pass or fail separately, and evidence gets muddled.",
        fix: "Split the criterion so that each has one trigger and one outcome.")
    /// Gherkin that does not parse.
    public static let acceptanceGherkinInvalid = Rule(
        id: "acceptance.gherkin-invalid", severity: .error,
        why: "Criteria in Gherkin are meant to run; a feature file that does not parse runs nothing.",
        fix: "Fix the feature file at the reported line (one Feature:, steps inside scenarios, Examples for outlines).")
    /// A criterion names an operation no contract defines.
    public static let acceptanceUnknownOperation = Rule(
        id: "acceptance.unknown-operation", severity: .error,
        why: "A criterion about an endpoint the contract lacks cannot be met as written.",
        fix: "Name an operation the packet's contracts define (METHOD /path), or add it to the contract.")
    /// A criterion holds a placeholder.
    public static let acceptancePlaceholder = Rule(
        id: "acceptance.placeholder", severity: .error,
        why: "A criterion with TBD in it cannot be tested.",
        fix: "Replace the placeholder with the concrete expected outcome.")

    // MARK: Delivery (checked on submit)

    /// The delivery note is missing.
    public static let deliveryMissing = Rule(
        id: "delivery.missing", severity: .error,
        why: "The delivery note is how a reviewer finds the evidence for each criterion without a meeting.",
        fix: "Add delivery/DELIVERY.md with one '- AC-n: evidence' line per criterion.")
    /// A criterion has no evidence.
    public static let deliveryCriterionUncovered = Rule(
        id: "delivery.criterion-uncovered", severity: .error,
        why: "A criterion without evidence is a criterion nobody has shown to hold.",
        fix: "Add evidence (a path, a commit id or a URL) for the criterion.")
    /// The note names a criterion the packet does not have.
    public static let deliveryUnknownCriterion = Rule(
        id: "delivery.unknown-criterion", severity: .error,
        why: "Evidence for a criterion that does not exist usually means the note targets an old spec revision.",
        fix: "Use the criterion ids of the current acceptance criteria.")
    /// A path given as evidence does not exist.
    public static let deliveryEvidenceNotFound = Rule(
        id: "delivery.evidence-not-found", severity: .error,
        why: "Evidence that is not in the repository cannot be reviewed.",
        fix: "Commit the file, or fix the path (relative to the packet folder, or from the root with a leading /).")

    /// Every rule, in documentation order.
    public static let all: [Rule] = [
        fileTooLarge, fileNotUTF8, fileBinary, unsupportedEntry, invalidPacketID, tooManyFiles, checkBudgetExhausted, policyInvalid,
        manifestMissing, manifestInvalid, manifestFieldMissing, manifestIDMismatch, manifestScopeOngoing,
        manifestUnknownDependency,
        contextMissing, contextSectionMissing, contextSectionEmpty, contextPlaceholder, contextBrokenLink,
        contractsMissing, contractsParseError, contractsOpenAPIInvalid, contractsOperationIDMissing,
        contractsSuccessResponseMissing, contractsErrorResponseMissing, contractsSecurityUndefined, contractsSchemaInvalid,
        contractsGraphQLInvalid, contractsUnknownFormat,
        acceptanceMissing, acceptanceEmpty, acceptanceIDMissing, acceptanceIDDuplicate, acceptancePlaceholder,
        acceptanceUnknownOperation, acceptanceGherkinInvalid, acceptanceVagueTerm, acceptanceNoObservableOutcome,
        acceptanceNotSingular,
        deliveryMissing, deliveryCriterionUncovered, deliveryUnknownCriterion, deliveryEvidenceNotFound,
    ]

    /// The rule with `id`, or nil.
    public static func named(_ id: String) -> Rule? { all.first { $0.id == id } }

    /// `docs/rules.md`: generated from this catalogue, and checked against it by the tests.
    public static var markdownReference: String {
        var text =
            "# Readiness rules\n\nGenerated from `Sources/HandoffCore/Rule.swift` by `handoff rules --markdown`; "
            + "a test fails when this file and the code disagree.\n"
        var group = ""
        for rule in all {
            let prefix = String(rule.id.prefix { $0 != "." })
            if prefix != group {
                group = prefix
                text += "\n## \(prefix)\n"
            }
            text += "\n### `\(rule.id)` (\(rule.severity.rawValue))\n\n- Why: \(rule.why)\n- Fix: \(rule.fix)\n"
        }
        return text + WorkflowRecords.markdownReference + RequirementSmells.markdownReference
    }
}
