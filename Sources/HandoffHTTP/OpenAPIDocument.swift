/// The OpenAPI 3.1 document of the read API, served at `/openapi.yaml`. `docs/openapi.yaml` is the same
/// text (a test keeps them equal) and passes `handoff validate` as a packet's contract.
public enum OpenAPIDocument {
    /// The document.
    public static let yaml = """
        openapi: 3.1.0
        info:
          title: Handoff read API
          version: "1"
          summary: What handoffd last published for each repository, read-only.
          description: >-
            Served by handoffd when `http.listen` is set. Every answer comes from the last published status
            commit of each repository (the status files and board at the watched branch or the status branch);
            no route reads a repository while answering. Actions stay commits: the API never writes.
            There is no authentication: bind to loopback or a Unix socket and put a reverse proxy in front.
          license:
            name: Proprietary
            identifier: LicenseRef-Handoff
        servers:
          - url: http://127.0.0.1:8420
        security: []
        tags:
          - name: repositories
          - name: probes
        paths:
          /healthz:
            get:
              operationId: getHealth
              tags: [probes]
              summary: The process answers.
              responses:
                "200":
                  description: Always, while the server runs.
                  content:
                    application/json:
                      schema:
                        $ref: "#/components/schemas/Probe"
                "405":
                  $ref: "#/components/responses/MethodNotAllowed"
          /readyz:
            get:
              operationId: getReadiness
              tags: [probes]
              summary: Every repository has had its first pass and none is stalled.
              responses:
                "200":
                  description: Ready.
                  content:
                    application/json:
                      schema:
                        $ref: "#/components/schemas/Probe"
                "405":
                  $ref: "#/components/responses/MethodNotAllowed"
                "503":
                  description: Not ready; detail names the repositories still in their first pass or stalled.
                  content:
                    application/json:
                      schema:
                        $ref: "#/components/schemas/Probe"
          /openapi.yaml:
            get:
              operationId: getOpenAPIDocument
              tags: [probes]
              summary: This document.
              responses:
                "200":
                  description: The OpenAPI 3.1 document of this API.
                  content:
                    application/yaml:
                      schema:
                        type: string
                "405":
                  $ref: "#/components/responses/MethodNotAllowed"
          /v1/repositories:
            get:
              operationId: listRepositories
              tags: [repositories]
              summary: Every served repository with its packet counts and health.
              responses:
                "200":
                  description: The repositories, by name.
                  content:
                    application/json:
                      schema:
                        type: array
                        items:
                          $ref: "#/components/schemas/Repository"
                "405":
                  $ref: "#/components/responses/MethodNotAllowed"
          /v1/repositories/{name}:
            get:
              operationId: getRepository
              tags: [repositories]
              summary: One served repository.
              parameters:
                - $ref: "#/components/parameters/Name"
              responses:
                "200":
                  description: The repository.
                  content:
                    application/json:
                      schema:
                        $ref: "#/components/schemas/Repository"
                "404":
                  $ref: "#/components/responses/NotFound"
                "503":
                  $ref: "#/components/responses/NotPublishedYet"
          /v1/repositories/{name}/packets:
            get:
              operationId: listPackets
              tags: [repositories]
              summary: Published packets, filtered and paged, by id.
              parameters:
                - $ref: "#/components/parameters/Name"
                - name: state
                  in: query
                  schema:
                    $ref: "#/components/schemas/State"
                - name: assignee
                  in: query
                  description: The assignee's identity, exactly.
                  schema:
                    type: string
                - name: scope
                  in: query
                  schema:
                    type: string
                    enum: [finite, ongoing]
                - name: client
                  in: query
                  description: The client team, exactly.
                  schema:
                    type: string
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Offset"
              responses:
                "200":
                  description: One page of packets.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [items, total, limit, offset]
                        properties:
                          items:
                            type: array
                            items:
                              $ref: "#/components/schemas/PacketSummary"
                          total:
                            type: integer
                          limit:
                            type: integer
                          offset:
                            type: integer
                "400":
                  $ref: "#/components/responses/BadParameter"
                "404":
                  $ref: "#/components/responses/NotFound"
                "503":
                  $ref: "#/components/responses/NotPublishedYet"
          /v1/repositories/{name}/packets/{id}:
            get:
              operationId: getPacket
              tags: [repositories]
              summary: One packet's status, findings, history, spec revision and delivery evidence per criterion.
              parameters:
                - $ref: "#/components/parameters/Name"
                - name: id
                  in: path
                  required: true
                  description: The packet id, e.g. PAY-142.
                  schema:
                    type: string
              responses:
                "200":
                  description: The packet.
                  content:
                    application/json:
                      schema:
                        $ref: "#/components/schemas/Packet"
                "404":
                  $ref: "#/components/responses/NotFound"
                "503":
                  $ref: "#/components/responses/NotPublishedYet"
          /v1/repositories/{name}/events:
            get:
              operationId: listEvents
              tags: [repositories]
              summary: The board's events, newest first, paged.
              parameters:
                - $ref: "#/components/parameters/Name"
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Offset"
              responses:
                "200":
                  description: One page of events.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [items, total, limit, offset]
                        properties:
                          items:
                            type: array
                            items:
                              $ref: "#/components/schemas/Event"
                          total:
                            type: integer
                          limit:
                            type: integer
                          offset:
                            type: integer
                "400":
                  $ref: "#/components/responses/BadParameter"
                "404":
                  $ref: "#/components/responses/NotFound"
                "503":
                  $ref: "#/components/responses/NotPublishedYet"
          /v1/repositories/{name}/flow:
            get:
              operationId: getFlow
              tags: [repositories]
              summary: Flow figures computed from the published histories (the same as handoff report --format json).
              parameters:
                - $ref: "#/components/parameters/Name"
              responses:
                "200":
                  description: Per packet, per client team and per week.
                  content:
                    application/json:
                      schema:
                        $ref: "#/components/schemas/Flow"
                "404":
                  $ref: "#/components/responses/NotFound"
                "503":
                  $ref: "#/components/responses/NotPublishedYet"
          /v1/repositories/{name}/triage:
            get:
              operationId: getTriage
              tags: [repositories]
              summary: Open packets ranked by what blocks them, each with its next action and who must take it.
              parameters:
                - $ref: "#/components/parameters/Name"
              responses:
                "200":
                  description: The ranked list (the same as handoff triage --format json).
                  content:
                    application/json:
                      schema:
                        type: array
                        items:
                          $ref: "#/components/schemas/TriageItem"
                "404":
                  $ref: "#/components/responses/NotFound"
                "503":
                  $ref: "#/components/responses/NotPublishedYet"
        components:
          parameters:
            Name:
              name: name
              in: path
              required: true
              description: The repository's name in handoffd.yaml.
              schema:
                type: string
            Limit:
              name: limit
              in: query
              description: Items per page, 1 to 500 (default 100).
              schema:
                type: integer
                minimum: 1
                maximum: 500
            Offset:
              name: offset
              in: query
              description: Items to skip (default 0).
              schema:
                type: integer
                minimum: 0
          responses:
            NotFound:
              description: No such repository or packet.
              content:
                application/problem+json:
                  schema:
                    $ref: "#/components/schemas/Problem"
            BadParameter:
              description: A query parameter is malformed or out of range.
              content:
                application/problem+json:
                  schema:
                    $ref: "#/components/schemas/Problem"
            MethodNotAllowed:
              description: Only GET and HEAD are served.
              content:
                application/problem+json:
                  schema:
                    $ref: "#/components/schemas/Problem"
            NotPublishedYet:
              description: The repository has not been read yet.
              content:
                application/problem+json:
                  schema:
                    $ref: "#/components/schemas/Problem"
          schemas:
            Probe:
              type: object
              required: [status]
              properties:
                status:
                  type: string
                detail:
                  type: string
            Problem:
              type: object
              description: An RFC 9457 problem document.
              required: [type, title, status, detail]
              properties:
                type:
                  type: string
                title:
                  type: string
                status:
                  type: integer
                detail:
                  type: string
            State:
              type: string
              enum: [draft, ready, in_progress, in_review, delivered, cancelled]
            Repository:
              type: object
              required: [name, first_pass_done, counts]
              properties:
                name:
                  type: string
                branch:
                  type: [string, "null"]
                status_reference:
                  type: [string, "null"]
                status_commit:
                  type: [string, "null"]
                published_at:
                  type: [string, "null"]
                  format: date-time
                first_pass_done:
                  type: boolean
                stalled:
                  type: [string, "null"]
                  description: What a person must fix, while the repository is stalled.
                counts:
                  type: object
                  additionalProperties:
                    type: integer
            PacketSummary:
              type: object
              required: [id, title, state, since, blocked, score, errors, warnings]
              properties:
                id:
                  type: string
                title:
                  type: string
                state:
                  $ref: "#/components/schemas/State"
                since:
                  type: string
                  format: date-time
                assignee:
                  type: [string, "null"]
                blocked:
                  type: boolean
                scope:
                  type: [string, "null"]
                client:
                  type: [string, "null"]
                score:
                  type: integer
                errors:
                  type: integer
                warnings:
                  type: integer
            Packet:
              allOf:
                - $ref: "#/components/schemas/PacketSummary"
                - type: object
                  required: [reviewers, round, spec_revision, findings, history, criteria]
                  properties:
                    reviewers:
                      type: array
                      items:
                        type: string
                    round:
                      type: integer
                    spec_revision:
                      type: string
                    depends_on:
                      type: array
                      items:
                        type: string
                    has_delivery_note:
                      type: boolean
                    findings:
                      type: array
                      items:
                        $ref: "#/components/schemas/Finding"
                    history:
                      type: array
                      items:
                        $ref: "#/components/schemas/HistoryEntry"
                    criteria:
                      type: array
                      items:
                        $ref: "#/components/schemas/Criterion"
            Finding:
              type: object
              required: [rule, severity, file, line, message]
              properties:
                rule:
                  type: string
                severity:
                  type: string
                  enum: [error, warning, info]
                file:
                  type: string
                line:
                  type: integer
                column:
                  type: [integer, "null"]
                message:
                  type: string
                hint:
                  type: string
            HistoryEntry:
              type: object
              required: [at, commit, by, action, outcome, note]
              properties:
                at:
                  type: string
                  format: date-time
                commit:
                  type: string
                by:
                  type: string
                action:
                  type: string
                from:
                  type: [string, "null"]
                to:
                  type: [string, "null"]
                outcome:
                  type: string
                  enum: [applied, rejected, tampering]
                note:
                  type: string
            Criterion:
              type: object
              required: [file, line, text, evidence]
              properties:
                id:
                  type: [string, "null"]
                file:
                  type: string
                line:
                  type: integer
                text:
                  type: string
                evidence:
                  type: array
                  items:
                    type: object
                    required: [kind, value]
                    properties:
                      kind:
                        type: string
                        enum: [path, commit, url]
                      value:
                        type: string
            Event:
              type: object
              required: [at, commit, by, event, note]
              properties:
                at:
                  type: string
                commit:
                  type: string
                by:
                  type: string
                event:
                  type: string
                note:
                  type: string
            Flow:
              type: object
              required: [packets, teams, weeks]
              properties:
                as_of:
                  type: [string, "null"]
                packets:
                  type: array
                  items:
                    type: object
                    required: [id, state, waiting_ready_seconds, in_progress_seconds, in_review_seconds, review_rounds]
                    properties:
                      id:
                        type: string
                      client:
                        type: [string, "null"]
                      state:
                        $ref: "#/components/schemas/State"
                      created:
                        type: [string, "null"]
                      delivered:
                        type: [string, "null"]
                      lead_time_seconds:
                        type: [integer, "null"]
                      waiting_ready_seconds:
                        type: integer
                      in_progress_seconds:
                        type: integer
                      in_review_seconds:
                        type: integer
                      review_rounds:
                        type: integer
                      readiness_at_claim:
                        type: [integer, "null"]
                teams:
                  type: array
                  items:
                    type: object
                    required: [client, packets, delivered, review_rounds]
                    properties:
                      client:
                        type: string
                      packets:
                        type: integer
                      delivered:
                        type: integer
                      median_lead_time_seconds:
                        type: [integer, "null"]
                      median_waiting_ready_seconds:
                        type: [integer, "null"]
                      median_in_progress_seconds:
                        type: [integer, "null"]
                      median_in_review_seconds:
                        type: [integer, "null"]
                      review_rounds:
                        type: integer
                      median_readiness_at_claim:
                        type: [integer, "null"]
                weeks:
                  type: array
                  items:
                    type: object
                    required: [week, became_ready, claimed, delivered]
                    properties:
                      week:
                        type: string
                        format: date
                      became_ready:
                        type: integer
                      claimed:
                        type: integer
                      delivered:
                        type: integer
            TriageItem:
              type: object
              required: [id, title, state, blocker, next_action, who, waiting_seconds]
              properties:
                id:
                  type: string
                title:
                  type: string
                state:
                  $ref: "#/components/schemas/State"
                blocker:
                  type: string
                  enum: [not_ready, ongoing, unmet_dependencies, blocked, waiting_for_review, waiting_for_claim, in_progress]
                next_action:
                  type: string
                who:
                  type: string
                waiting_seconds:
                  type: integer
        """ + "\n"
}
