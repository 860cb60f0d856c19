// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "threadline",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "threadline", targets: ["threadline"]),
        .library(name: "ThreadlineCore", targets: ["ThreadlineCore"]),
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

        // The only importer of libxml2: streams HTML as plain Swift values, imports no Foundation.
        .target(name: "ThreadlineHTML", dependencies: ["CLibXML2"]),
        // Text algorithms with no pipeline knowledge: entities, emoji codes, name folding.
        .target(name: "ThreadlineText"),
        // A self-contained Apache Parquet writer and its codecs.
        .target(name: "ThreadlineParquet", dependencies: ["CZstd", "CSnappy", "CDeflate"]),
        // The run report: a plain data model rendered to one self-contained HTML page with inline SVG charts.
        .target(name: "ThreadlineReport"),

        // The pipeline engine and every step type.
        .target(
            name: "ThreadlineCore",
            dependencies: [
                "ThreadlineHTML", "ThreadlineText", "ThreadlineParquet",
                "CLibYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        // glibc malloc tuning for the executable (mallopt is not visible to Swift).
        .target(name: "CMallocTuning"),
        // The thin command line.
        .executableTarget(
            name: "threadline",
            dependencies: [
                "ThreadlineCore", "CMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Throughput and peak memory of the Parquet writer (`swift run -c release parquet-writer-bench`).
        .executableTarget(name: "parquet-writer-bench", dependencies: ["ThreadlineParquet"], path: "Benchmarks/ParquetWriter"),
        // Streams one Slack-export HTML page and prints MB/s (Benchmarks/slack_html_memory.sh).
        .executableTarget(name: "threadline-html-bench", dependencies: ["ThreadlineHTML"], path: "Benchmarks/SlackHTMLReader"),
        // What libyaml and libxml2 alone cost on a corpus: the floor Benchmarks/compare.sh reports.
        .executableTarget(name: "parser-floor", dependencies: ["ThreadlineCore", "ThreadlineHTML"], path: "Benchmarks/ParserFloor"),

        // Test support: the shared samples in Tests/Samples, and a seeded random number generator.
        .target(name: "_ThreadlineTestSupport", path: "Tests/_ThreadlineTestSupport"),
        .testTarget(
            name: "ThreadlineCoreTests",
            dependencies: ["ThreadlineCore", "_ThreadlineTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ThreadlineTextTests",
            dependencies: [
                "ThreadlineText", "_ThreadlineTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "ThreadlineHTMLTests", dependencies: ["ThreadlineHTML", "_ThreadlineTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ThreadlineParquetTests", dependencies: ["ThreadlineParquet", "_ThreadlineTestSupport"]),
        .testTarget(name: "ThreadlineReportTests", dependencies: ["ThreadlineReport"]),
    ]
)
