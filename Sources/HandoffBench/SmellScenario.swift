import Foundation
import HandoffCore
import SwiftCSV

/// The vague-term detector on the shared labelled sets, by the protocol of `SmellEvaluation`, and its
/// throughput on one core beside `grep -c -i -w -F -f` with the same word list over the same criteria.
enum SmellScenario {
    /// The held-out measurements and the throughput figures.
    struct Figures {
        var heldOut: [SmellEvaluation.HeldOut]
        var criteria: Int
        var criteriaPerSecond: Double
        var grepLinesPerSecond: Double
    }

    /// Loads `ds2.csv` and `ds4.csv` from `folder`.
    static func load(_ folder: String) throws -> (ds2: [SmellEvaluation.Requirement], ds4: [SmellEvaluation.Requirement]) {
        func read(_ name: String) throws -> [SmellEvaluation.Requirement] {
            let csv = try CSV<Named>(url: URL(fileURLWithPath: folder).appendingPathComponent(name), delimiter: .comma)
            return SmellEvaluation.requirements(fromRows: csv.rows)
        }
        return (try read("ds2.csv"), try read("ds4.csv"))
    }

    /// The protocol: tune on DS2 and report DS4, the reverse, and leave-one-document-out over both.
    static func heldOut(ds2: [SmellEvaluation.Requirement], ds4: [SmellEvaluation.Requirement]) -> [SmellEvaluation.HeldOut] {
        [
            SmellEvaluation.crossSet(tuning: ds2, test: ds4, name: "DS4 (tuned on DS2)"),
            SmellEvaluation.crossSet(tuning: ds4, test: ds2, name: "DS2 (tuned on DS4)"),
            SmellEvaluation.leaveOneDocumentOut(ds2 + ds4),
        ]
    }

    /// Criteria a packet would hold: the labelled texts when given, else generated ones.
    static func criteria(from requirements: [SmellEvaluation.Requirement], count: Int, seed: UInt64) -> [String] {
        if !requirements.isEmpty { return (0..<count).map { requirements[$0 % requirements.count].text } }
        var random = SplitMix64(seed: seed)
        let subjects = ["the refund", "the payout", "a webhook delivery", "the export", "the order", "it", "the API"]
        let outcomes = [
            "returns 201 within 300 ms", "is processed quickly and correctly", "is not lost", "shows the best result",
            "is published on `payments.refunds`", "responds as fast as possible", "lists all other entries",
        ]
        return (0..<count).map { index in
            "Given \(subjects[Int(random.next() % 7)]) \(index), when it is posted, then it \(outcomes[Int(random.next() % 7)])."
        }
    }

    /// Times the detector (vague terms, observable outcome, singularity: what a criterion check runs) on one
    /// core, and grep with the detector's word list over the same lines.
    static func throughput(_ criteria: [String], folder: String) throws -> (perSecond: Double, grepPerSecond: Double) {
        let clock = ContinuousClock()
        var flagged = 0
        let elapsed = clock.measure {
            for criterion in criteria {
                let analysis = RequirementSmells.analyze(criterion)
                flagged += analysis.terms.count + (analysis.lacksObservableOutcome ? 1 : 0) + (analysis.isNotSingular ? 1 : 0)
            }
        }
        // Printed, so that the optimiser cannot drop the work being timed.
        print("  S1: \(flagged) smells in \(criteria.count) criteria")
        let lines = "\(folder)/smell-criteria.txt", words = "\(folder)/smell-words.txt"
        try Data(criteria.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: lines))
        try Data(RequirementSmells.listedWords.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: words))
        // Output to a file: GNU grep stops at the first match when its output is /dev/null.
        let grep = try MeasuredRun.run(["grep", "-c", "-i", "-w", "-F", "-f", words, lines], captureOutput: true)
        guard grep.status == 0 else { throw BenchError("grep failed: \(grep.stderr)") }
        return (Double(criteria.count) / (ms(elapsed) / 1000), Double(criteria.count) / (grep.milliseconds / 1000))
    }

    /// Runs everything; the labelled part only when `folder` holds the sets.
    static func run(labelled folder: String?, scratch: String, count: Int, seed: UInt64) throws -> Figures {
        var heldOut: [SmellEvaluation.HeldOut] = []
        var texts: [SmellEvaluation.Requirement] = []
        if let folder {
            let sets = try load(folder)
            heldOut = Self.heldOut(ds2: sets.ds2, ds4: sets.ds4)
            // The shipped settings are tuned on both sets, so no figure is reported for them here.
            let both = SmellEvaluation.tune(on: sets.ds2 + sets.ds4)
            print(
                "  S1: settings tuned on both sets: \(both); shipped: \(RequirementSmells.Options.shipped)"
                    + (both == .shipped ? "" : " (differ: update RequirementSmells.Options.shipped)"))
            texts = sets.ds2 + sets.ds4
        }
        let criteria = criteria(from: texts, count: count, seed: seed)
        let speed = try throughput(criteria, folder: scratch)
        return Figures(heldOut: heldOut, criteria: criteria.count, criteriaPerSecond: speed.perSecond, grepLinesPerSecond: speed.grepPerSecond)
    }

    /// The held-out tables as Markdown: per class P/R/F1, micro over the eight classes, and any smell.
    static func report(_ heldOut: [SmellEvaluation.HeldOut]) {
        for measurement in heldOut {
            let settings = Set(measurement.options.map(\.description)).sorted().joined(separator: "; ")
            print("\n#### Held out: \(measurement.name)\nsettings tuned elsewhere: \(settings)\n")
            print("| class | P | R | F1 | labelled |")
            print("| --- | --- | --- | --- | --- |")
            func line(_ name: String, _ counts: SmellEvaluation.Counts) {
                print(
                    String(
                        format: "| %@ | %.2f | %.2f | %.2f | %d |", name, counts.precision, counts.recall, counts.f1,
                        counts.truePositives + counts.falseNegatives))
            }
            for termClass in SmellEvaluation.labelledClasses {
                line(termClass.rawValue, measurement.scores.perClass[termClass] ?? .init())
            }
            line("**micro, 8 classes**", measurement.scores.micro)
            line("**any smell**", measurement.scores.any)
        }
    }
}
