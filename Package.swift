// swift-tools-version: 6.1
// Handoff: a git-backed workflow daemon. Layers point one way:
// CGit2 → Git → HandoffCore → HandoffEngine → HandoffDaemon → executables.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Handoff",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Git", targets: ["Git"]),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "Git", dependencies: ["CGit2"], swiftSettings: strict),
        .testTarget(name: "GitTests", dependencies: ["Git"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
