import Foundation
import HandoffSystem

/// openapi-spec-validator (Python, PyPI) over the same documents, timed inside Python.
enum Baseline {
    struct Outcome: Decodable {
        var seconds: Double
        var valid: [String: Bool]
        var version: String
    }

    static let script = """
        import json, sys, time, os
        import yaml
        from openapi_spec_validator import validate
        from importlib.metadata import version
        folder, rounds = sys.argv[1], int(sys.argv[2])
        names = sorted(os.listdir(folder))
        texts = {name: open(os.path.join(folder, name), encoding="utf-8").read() for name in names}
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        valid = {}
        start = time.perf_counter()
        for _ in range(rounds):
            for name in names:
                try:
                    validate(yaml.load(texts[name], Loader=loader))
                    valid[name] = True
                except Exception:
                    valid[name] = False
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, "valid": valid, "version": version("openapi-spec-validator")}))
        """

    /// Runs the baseline on the `.yaml` files of `folder`, `rounds` times over.
    static func run(folder: String, rounds: Int) throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let done = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, folder, String(rounds)], scratch: scratch.path)
        guard done.status == 0 else {
            throw BenchError(
                "openapi-spec-validator baseline failed (pip install openapi-spec-validator): "
                    + String(decoding: done.stderr, as: UTF8.self))
        }
        return try JSONDecoder().decode(Outcome.self, from: done.stdout)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
