import Foundation
import HandoffSystem

/// The OpenAPI validators Handoff is compared with: openapi-spec-validator (Python) and its Rust-cored
/// companion openapi-spec-validator-rs, both from PyPI, each timed inside Python over the same documents
/// with the YAML parse included (PyYAML's libyaml loader, `yaml.CSafeLoader`), as Handoff is timed in process.
enum Baseline {
    /// One validator's run.
    struct Outcome: Decodable {
        /// The PyPI distribution.
        var name: String
        var version: String
        var seconds: Double
        /// Its verdict per file name: true when it accepts the document.
        var valid: [String: Bool]
    }

    /// The validators, by PyPI distribution and module, in the order the table lists them.
    static let validators = [
        ("openapi-spec-validator", "openapi_spec_validator"), ("openapi-spec-validator-rs", "openapi_spec_validator_rs"),
    ]

    static let script = """
        import importlib, json, sys, time, os
        import yaml
        from importlib.metadata import version
        folder, rounds = sys.argv[1], int(sys.argv[2])
        names = sorted(os.listdir(folder))
        texts = {name: open(os.path.join(folder, name), encoding="utf-8").read() for name in names}
        loader = yaml.CSafeLoader  # libyaml's C loader: the fastest parse PyYAML has
        outcomes = []
        for distribution, module in json.loads(sys.argv[3]):
            validate = importlib.import_module(module).validate
            for name in names[:3]:  # warm up imports and caches outside the timing, as Handoff's first call is not special
                try:
                    validate(yaml.load(texts[name], Loader=loader))
                except Exception:
                    pass
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
            outcomes.append({"name": distribution, "version": version(distribution), "seconds": seconds, "valid": valid})
        print(json.dumps(outcomes))
        """

    /// Runs every validator on the files of `folder`, `rounds` times over.
    static func run(folder: String, rounds: Int) throws -> [Outcome] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let list = String(decoding: try JSONEncoder().encode(validators.map { [$0.0, $0.1] }), as: UTF8.self)
        let done = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, folder, String(rounds), list], scratch: scratch.path)
        guard done.status == 0 else {
            throw BenchError(
                "the OpenAPI baselines failed (make bench-deps installs openapi-spec-validator and openapi-spec-validator-rs): "
                    + String(decoding: done.stderr, as: UTF8.self))
        }
        return try JSONDecoder().decode([Outcome].self, from: done.stdout)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
