import ArgumentParser

/// `handoff`: the participants' command line.
@main
struct Handoff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hand scoped backend work to contractors through written specs kept in git.",
        subcommands: [Validate.self, Rules.self, Demo.self]
    )
}
