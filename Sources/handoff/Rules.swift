import ArgumentParser
import Foundation
import HandoffCore

/// `handoff rules`: the readiness rules, as a list or as the Markdown of `docs/rules.md`.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "List the readiness rules.")

    @Flag(help: "Print docs/rules.md (Markdown) instead of a list.")
    var markdown = false

    @Flag(help: "Print docs/policy.md: every setting of .handoff/policy.yaml (Markdown).")
    var policy = false

    func run() {
        if policy {
            print(Policy.markdownReference, terminator: "")
            return
        }
        if markdown {
            print(Rule.markdownReference, terminator: "")
            return
        }
        for rule in Rule.all {
            print(
                "\(rule.id.padding(toLength: 34, withPad: " ", startingAt: 0)) \(rule.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(rule.why)"
            )
        }
    }
}
