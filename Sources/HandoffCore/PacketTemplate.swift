/// The files of a packet, generated: a scaffold for `handoff init` and a complete example for the demo.
public enum PacketTemplate {
    /// A scaffold for packet `id`: the right shape, with placeholders a human must replace.
    ///
    /// Checking it reports exactly what is left to write, so it starts as a draft.
    public static func scaffold(id: PacketID, title: String, root: String = "specs") -> [String: String] {
        // YAML gets the title as a double-quoted scalar and Markdown on one line: any title round-trips
        // ("Refunds: phase 2" is no mapping, "#1 priority" no comment).
        let yamlTitle = StatusFile.quote(title)
        let heading = title.split(whereSeparator: \.isNewline).joined(separator: " ")
        let folder = "\(root)/\(id)"
        return [
            "\(folder)/\(Manifest.fileName)": """
            id: \(id)
            title: \(yamlTitle)
            scope: finite          # finite: has a finish line; ongoing work cannot be handed off
            client: TBD            # the owning team
            reviewers: []          # emails of who accepts the delivery
            # due: 2027-01-15
            # estimate: 5d
            # depends_on: []

            """,
            "\(folder)/\(ContextCheck.fileName)": """
            # \(id): \(heading)

            ## Background

            TBD: why this work exists and what problem it solves.

            ## System context

            TBD: the services, data and constraints the contractor will work within.

            ## Dependencies

            TBD: what this work relies on, with links.

            ## Out of scope

            TBD: what the contractor must not change.

            """,
            "\(folder)/contracts/openapi.yaml": """
            openapi: 3.1.0
            info:
              title: \(yamlTitle)
              version: 0.1.0
            paths: {}

            """,
            "\(folder)/\(AcceptanceCheck.markdownFile)": """
            # Acceptance criteria

            - [ ] AC-1: Given TBD, when TBD, then TBD.

            """,
        ]
    }

    /// A complete, ready packet: partial refunds for card payments (the example of DESIGN.md §2).
    public static func example(root: String = "specs") -> [String: String] {
        let folder = "\(root)/PAY-142"
        return [
            "\(folder)/\(Manifest.fileName)": """
            id: PAY-142
            title: Partial refunds for card payments
            scope: finite
            client: payments
            reviewers: [ana@acme.example]
            due: 2027-01-15
            estimate: 5d

            """,
            "\(folder)/\(ContextCheck.fileName)": """
            # PAY-142: Partial refunds for card payments

            ## Background

            Support agents refund whole payments only. Customers who return one item of an order wait
            for a full refund and a new charge, which doubles card fees and confuses statements.

            ## System context

            The payments service (Kotlin, PostgreSQL) owns payments and refunds. Card refunds go to the
            acquirer through its REST API; the acquirer accepts several refunds per capture up to the
            captured amount. Refund events are published on the `payments.refunds` topic.

            ## Dependencies

            The acquirer's refund endpoint (sandbox credentials are in the team vault) and the existing
            `payments.refunds` topic schema, which gains an `amount` field.

            ## Out of scope

            Refunds of bank transfers, the agent user interface, and currency conversion.

            """,
            "\(folder)/contracts/openapi.yaml": """
            openapi: 3.1.0
            info:
              title: Payments refunds
              version: 1.0.0
            security:
              - bearerAuth: []
            components:
              securitySchemes:
                bearerAuth: { type: http, scheme: bearer }
            paths:
              /payments/{id}/refunds:
                post:
                  operationId: createRefund
                  parameters:
                    - name: id
                      in: path
                      required: true
                      schema: { type: string }
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema:
                          type: object
                          required: [amount]
                          properties:
                            amount: { type: string, pattern: '^[0-9]+\\.[0-9]{2}$' }
                  responses:
                    '201':
                      description: Refund created
                      content:
                        application/json:
                          schema:
                            type: object
                            properties:
                              refundable: { type: string }
                    '422':
                      description: Amount exceeds what is refundable

            """,
            "\(folder)/\(AcceptanceCheck.markdownFile)": """
            # Acceptance criteria

            - [ ] AC-1: Given a captured payment of 100.00 EUR, when a refund of 30.00 EUR is posted to
              `POST /payments/{id}/refunds`, then the response is 201 and the refundable amount is 70.00 EUR.
            - [ ] AC-2: Given a payment with 70.00 EUR refundable, when a refund of 80.00 EUR is posted,
              then the response is 422 and no refund is sent to the acquirer.
            - [ ] AC-3: When a refund succeeds, then one event with the refunded amount is published on
              `payments.refunds` within 5 seconds.

            """,
        ]
    }
}
