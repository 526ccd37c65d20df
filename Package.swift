// swift-tools-version: 6.1
// Handoff: a git-backed workflow daemon. Layers point one way:
// CGit2 → Git → HandoffCore → HandoffEngine → HandoffConfiguration → HandoffDaemon → executables, and
// HandoffCore → HandoffHTTP (the read API and dashboard over published snapshots) → HandoffDaemon;
// HandoffSystem (child processes, Unix socket addresses) sits below them all.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Handoff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        .executable(name: "handoffd", targets: ["handoffd"]),
        .executable(name: "handoff-bench", targets: ["HandoffBench"]),
        .library(name: "Git", targets: ["Git"]),
        .library(name: "HandoffCore", targets: ["HandoffCore"]),
        .library(name: "HandoffEngine", targets: ["HandoffEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The test oracle only (HandoffCoreTests): the product validates OpenAPI on the YAML nodes. Without its
        // default ExternalLoading trait: nothing loads external references.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0", traits: []),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        // Without its default JSON trait: handoffd's YAML is parsed by Yams and fed in with environment overrides.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Ed25519 and SHA-2 for verifying participants' SSH commit signatures in process.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Reads the labelled requirement sets in the bench and the tests (not in the product).
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        // The read API and dashboard inside handoffd (HandoffHTTP), and its server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Hummingbird's own dependencies, named because HandoffHTTP uses their types (MemberImportVisibility).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // libgit2 1.5 has no network timeouts: a socket stream with a connect deadline and an inactivity watchdog.
        .target(name: "CGit2Network", dependencies: ["CGit2"], cSettings: [.unsafeFlags(["-Wall", "-Wextra"])]),
        // Paths split, compared and keyed as git's bytes: one home for the tree layer and the fold alike.
        .target(name: "GitPaths", swiftSettings: strict),
        // Object hashes checked on read with OpenSSL's SHA-1 (the CPU's SHA instructions) in place of libgit2's.
        .target(
            name: "CGit2ODB", dependencies: ["CGit2"], cSettings: [.unsafeFlags(["-Wall", "-Wextra"])],
            linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("z")]),
        .target(name: "Git", dependencies: ["CGit2", "CGit2Network", "CGit2ODB", "GitPaths"], swiftSettings: strict),
        // The one home of POSIX plumbing: child processes and Unix socket addresses, for product, tests and bench.
        .target(name: "HandoffSystem", swiftSettings: strict),
        .target(
            name: "HandoffCore",
            dependencies: [
                "GitPaths",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GraphQL", package: "GraphQL"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HandoffEngine",
            dependencies: ["Git", "GitPaths", "HandoffCore", "HandoffSystem", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // handoffd.yaml as plain values, read through swift-configuration, and the startup sequence (key, settings).
        // Above the engine, which knows nothing of the file; below the daemon, so the CLI need not link it.
        .target(
            name: "HandoffConfiguration",
            dependencies: [
                "HandoffCore", "HandoffEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        // The read API, dashboard and OpenAPI document, served from published status snapshots (pure values).
        .target(
            name: "HandoffHTTP",
            dependencies: [
                "HandoffCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HandoffDaemon",
            dependencies: [
                "Git", "HandoffCore", "HandoffEngine", "HandoffConfiguration", "HandoffSystem", "HandoffHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "handoff",
            dependencies: [
                "Git", "HandoffCore", "HandoffEngine",
                "HandoffConfiguration",
                "HandoffSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks: Handoff's figures beside a baseline measured in the same run (`make bench`).
        .executableTarget(
            name: "HandoffBench",
            dependencies: [
                "HandoffCore", "HandoffEngine", "HandoffSystem", "HandoffHTTP", "Git", .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "handoffd",
            dependencies: [
                "HandoffDaemon",
                "HandoffHTTP",
                "HandoffConfiguration",
                "HandoffEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Test helpers: a sandbox driving the real git CLI, child processes, a loopback git daemon.
        .target(
            name: "GitTestSupport", dependencies: ["Git", "HandoffSystem", .product(name: "Logging", package: "swift-log")],
            path: "Tests/GitTestSupport", swiftSettings: strict),
        .testTarget(name: "GitTests", dependencies: ["Git", "GitPaths", "GitTestSupport", "HandoffSystem"], swiftSettings: strict),
        .testTarget(
            name: "HandoffCoreTests",
            dependencies: [
                "HandoffCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "HandoffSystemTests", dependencies: ["HandoffSystem"], swiftSettings: strict),
        .testTarget(
            name: "HandoffConfigurationTests",
            dependencies: ["HandoffConfiguration", "HandoffEngine", "GitTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HandoffEngineTests",
            dependencies: [
                "Git", "HandoffCore", "HandoffEngine", "HandoffConfiguration", "HandoffDaemon", "HandoffSystem", "GitTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The torture suite (make torture): seeded random histories through the hook and handoffd; skipped
        // unless HANDOFF_TORTURE is set.
        .testTarget(
            name: "HandoffTortureTests", dependencies: ["HandoffCore", "GitTestSupport"], swiftSettings: strict),
        // The daemon's tests: the pure worker schedule, the service through its real process, remote mode, systemd units.
        .testTarget(
            name: "HandoffDaemonTests",
            dependencies: [
                "HandoffDaemon", "HandoffHTTP", "HandoffEngine", "HandoffConfiguration", "HandoffCore", "HandoffSystem", "Git", "GitTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
