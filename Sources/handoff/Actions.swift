import ArgumentParser
import Foundation
import Git
import HandoffCore
import HandoffEngine

/// What every action command takes: the packet, a message, and a dry run.
struct ActionOptions: ParsableArguments {
    @Argument(help: "The packet id, e.g. PAY-142.")
    var id: String

    @Option(name: .shortAndLong, help: "A note for the packet's history (also the commit's subject).")
    var message: String?

    @Flag(help: "Say what would happen without creating a commit.")
    var dryRun = false

    @Flag(
        help:
            "Push the action commit to the branch's upstream, recording the action again on it when it moved (up to \(ActionPublisher.attempts) tries)."
    )
    var push = false

    @Option(
        name: .customLong("wait"),
        help: ArgumentHelp(
            "With --push (implied): wait up to SECONDS (default 120 with a bare --wait) until handoffd's status covers the action, and print what became of it; exit 1 when rejected, 75 when not processed in time.",
            valueName: "SECONDS"))
    var wait: Double?

    /// `--wait` alone, before parsing: the option's value is optional on the command line.
    static let defaultWait = "120"
}

/// The shared body of `handoff claim|unclaim|submit|…`: check locally, then commit the trailer.
protocol ActionCommand: ParsableCommand {
    static var action: WorkflowAction { get }
    var options: ActionOptions { get }
}

extension ActionCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: action.rawValue,
            abstract: "Record '\(action.rawValue)' for a packet as a commit on the current branch (push to make it count).")
    }

    func run() throws {
        guard let packet = PacketID(options.id) else { throw CannotCheck("'\(options.id)' is not a packet id") }
        let note = (options.message ?? "").replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        let folder = FileManager.default.currentDirectoryPath
        var clone: LocalClone
        let email: String
        let publishing = (options.push || options.wait != nil) && !options.dryRun
        // With a branch that has nothing of its own, the action is recorded on the remote's fetched tip and pushed
        // at once: no rebase or checkout between the fetch and the push, where others' pushes could land.
        var base: ObjectID?
        do {
            clone = try publishing ? LocalClone.open(at: folder) : openClone()
            if publishing {
                base = try ActionPublisher(clone: clone, folder: folder).level()
                clone = try LocalClone.open(at: folder, onto: base)
            }
            email = try clone.identity().email
        } catch let error as CannotCheck {
            throw error
        } catch {
            throw CannotCheck("\(error)")
        }
        let outcome = try clone.simulate(Self.action, packet: packet, note: note, email: email)
        if let rejection = outcome.rejection {
            FileHandle.standardError.write(
                Data("handoff: cannot \(Self.action.rawValue) \(packet): \(safe(rejection.reason))\(Self.advice(rejection))\n".utf8))
            throw ExitCode(1)
        }
        let change =
            outcome.from == outcome.to ? "\(outcome.to?.rawValue ?? "-")" : "\(outcome.from?.rawValue ?? "-") → \(outcome.to?.rawValue ?? "-")"
        if options.dryRun {
            print("would record: Handoff: \(Self.action.rawValue) \(packet)\(note.isEmpty ? "" : " \(safe(note))") (\(change)); nothing written")
            return
        }
        let message = note.isEmpty ? nil : "\(Self.action.rawValue) \(packet): \(note)"
        // When publishing, the branch moves only once the push has landed: a failed push leaves nothing to undo.
        let commit = try clone.commitAction(Self.action, packet: packet, note: note, message: message, movingBranch: !publishing)
        let shortBranch = clone.shortBranch
        guard publishing else {
            print(
                "[\(shortBranch) \(commit.abbreviated(7))] \(Self.action.rawValue) \(packet) (\(change) once handoffd processes it); git push to send it"
            )
            return
        }
        let publisher = try ActionPublisher(clone: clone, folder: folder)
        let (pushed, attempts) = try publisher.push(commit, onRemoteTip: base != nil) { failed, tip in try clone.record(failed, againOn: tip) }
        // How often the remote moved under the push: recorded again (or rebased) and pushed again each time.
        let retried =
            attempts > 1
            ? " after \(attempts) attempts (\(publisher.remote)/\(publisher.remoteBranch) moved; \(base == nil ? "rebased" : "recorded again on it"))"
            : ""
        print(
            "[\(shortBranch) \(pushed.abbreviated(7))] \(Self.action.rawValue) \(packet) pushed to \(publisher.remote)/\(publisher.remoteBranch)\(retried)"
        )
        guard let seconds = options.wait else { return }
        switch try publisher.wait(for: pushed, action: Self.action, packet: packet, seconds: seconds, clone: clone) {
        case .pending:
            FileHandle.standardError.write(
                Data(
                    "handoff: handoffd has not processed \(pushed.abbreviated(7)) within \(Int(seconds)) s; see handoff status \(packet) later\n".utf8
                ))
            throw ExitCode(75)
        case .notRecorded(let status):
            FileHandle.standardError.write(
                Data(
                    "handoff: handoffd's status \(status.abbreviated(7)) covers \(pushed.abbreviated(7)) but records no \(Self.action.rawValue) on \(packet); see handoff board\n"
                        .utf8))
            throw ExitCode(1)
        case .recorded(let entry, let status):
            if let rejection = entry.rejection {
                FileHandle.standardError.write(
                    Data(
                        "handoff: \(Self.action.rawValue) \(packet) rejected by handoffd (\(status.abbreviated(7))): \(safe(rejection.reason))\(Self.advice(rejection))\n"
                            .utf8))
                throw ExitCode(1)
            }
            print(
                "\(packet): \(entry.from?.rawValue ?? "-") → \(entry.to?.rawValue ?? "-") (\(Self.action.rawValue) applied by handoffd in \(status.abbreviated(7)))"
            )
        }
    }

    /// What to do next, for the refusals a user can act on.
    static func advice(_ rejection: Rejection) -> String {
        switch rejection {
        case .action(.deliveryIncomplete), .action(.deliveryNotChecked):
            "; complete delivery/DELIVERY.md, commit it, and submit again"
        case .action(.dependenciesNotDelivered):
            "; wait until they are delivered"
        case _ where rejection.isMissingRole:
            "; ask someone who holds that role"
        default:
            "; see handoff status"
        }
    }
}

struct Claim: ActionCommand {
    static let action = WorkflowAction.claim
    @OptionGroup var options: ActionOptions
}

struct Unclaim: ActionCommand {
    static let action = WorkflowAction.unclaim
    @OptionGroup var options: ActionOptions
}

struct Submit: ActionCommand {
    static let action = WorkflowAction.submit
    @OptionGroup var options: ActionOptions
}

struct Accept: ActionCommand {
    static let action = WorkflowAction.accept
    @OptionGroup var options: ActionOptions
}

struct RequestChanges: ActionCommand {
    static let action = WorkflowAction.requestChanges
    @OptionGroup var options: ActionOptions
}

struct Cancel: ActionCommand {
    static let action = WorkflowAction.cancel
    @OptionGroup var options: ActionOptions
}

struct Reopen: ActionCommand {
    static let action = WorkflowAction.reopen
    @OptionGroup var options: ActionOptions
}

struct Block: ActionCommand {
    static let action = WorkflowAction.block
    @OptionGroup var options: ActionOptions
}

struct Unblock: ActionCommand {
    static let action = WorkflowAction.unblock
    @OptionGroup var options: ActionOptions
}
