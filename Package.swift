// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "threadline",
    products: [
        .executable(name: "threadline", targets: ["threadline"]),
        .library(name: "ThreadlineCore", targets: ["ThreadlineCore"]),
        // The layers under the pipeline, for the benchmark tools in Benchmarks/ (a package of their own).
        .library(name: "ThreadlineSlack", targets: ["ThreadlineSlack"]),
        .library(name: "ThreadlineHTML", targets: ["ThreadlineHTML"]),
        .library(name: "ThreadlineParquet", targets: ["ThreadlineParquet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // C libraries from Debian -dev packages, each behind a system-library target.
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Text algorithms with no pipeline knowledge: entities, emoji codes, name folding, positions.
        .target(name: "ThreadlineText"),
        // Opening inputs safely: regular files only, a symbolic link as its target.
        .target(name: "ThreadlineFiles"),
        // The only importer of libxml2: streams HTML as plain Swift values, imports no Foundation, and
        // knows nothing of Slack.
        .target(name: "ThreadlineHTML", dependencies: ["CLibXML2"]),
        // The only importer of libyaml: YAML as nodes with their positions, within limits.
        .target(name: "ThreadlineYAML", dependencies: ["CLibYAML", "ThreadlineText"]),
        // Slack's export formats: the HTML pages' layouts (over ThreadlineHTML) and the JSON export.
        .target(
            name: "ThreadlineSlack",
            dependencies: [
                "ThreadlineHTML", "ThreadlineText", "ThreadlineFiles",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        // A self-contained Apache Parquet writer and its codecs.
        .target(name: "ThreadlineParquet", dependencies: ["CZstd", "CSnappy", "CDeflate"]),
        // The run report: a plain data model rendered to one self-contained HTML page with inline SVG charts.
        .target(name: "ThreadlineReport"),

        // The pipeline engine and every step type.
        .target(
            name: "ThreadlineCore",
            dependencies: [
                "ThreadlineYAML", "ThreadlineSlack", "ThreadlineHTML", "ThreadlineText", "ThreadlineFiles",
                "ThreadlineParquet", "ThreadlineReport", "CZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // glibc malloc tuning for the executable (mallopt is not visible to Swift).
        .target(name: "CMallocTuning"),
        // The command line: subcommands, the printer of diagnostics, logging, progress, signals.
        .target(
            name: "ThreadlineCLI",
            dependencies: [
                "ThreadlineCore", "CMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The executable: calls the command line.
        .executableTarget(name: "threadline", dependencies: ["ThreadlineCLI"]),

        // Test support: the shared samples in Tests/Samples, and a seeded random number generator.
        .target(name: "_ThreadlineTestSupport", path: "Tests/_ThreadlineTestSupport"),
        // Test support: counts each thread's heap allocations (it stands in for malloc in the test
        // executable), so tests can show work growing linearly with the input without timing it.
        .target(name: "_CAllocationCount", path: "Tests/_CAllocationCount"),
        .testTarget(
            name: "ThreadlineCLITests",
            dependencies: ["ThreadlineCLI", "ThreadlineCore", "_ThreadlineTestSupport"]),
        .testTarget(
            name: "ThreadlineCoreTests",
            dependencies: [
                "ThreadlineCore", "ThreadlineYAML", "ThreadlineSlack", "_ThreadlineTestSupport", "_CAllocationCount",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(
            name: "ThreadlineTextTests",
            dependencies: [
                "ThreadlineText", "_ThreadlineTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(name: "ThreadlineHTMLTests", dependencies: ["ThreadlineHTML"]),
        .testTarget(name: "ThreadlineYAMLTests", dependencies: ["ThreadlineYAML"]),
        .testTarget(
            name: "ThreadlineSlackTests",
            dependencies: [
                "ThreadlineSlack", "_ThreadlineTestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ThreadlineParquetTests", dependencies: ["ThreadlineParquet", "_ThreadlineTestSupport"]),
        .testTarget(name: "ThreadlineReportTests", dependencies: ["ThreadlineReport"]),
    ]
)
