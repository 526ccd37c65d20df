import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder, String(rounds)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("openapi-spec-validator baseline failed (pip install openapi-spec-validator): "
                             + String(decoding: problem, as: UTF8.self))
        }
        return try JSONDecoder().decode(Outcome.self, from: data)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
