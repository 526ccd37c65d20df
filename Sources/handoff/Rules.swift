import ArgumentParser
import Foundation
import HandoffCore

/// `handoff rules`: the readiness rules, as a list or as the Markdown of `docs/rules.md`.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the readiness rules.")

    @Flag(help: "Print docs/rules.md (Markdown) instead of a list.")
    var markdown = false

    func run() {
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
