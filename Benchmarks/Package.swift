// swift-tools-version:6.1
// The benchmark tools: their own package, so that neither users' nor CI's builds of threadline compile
// them. The scripts that run them build them (Benchmarks/compare.sh, Benchmarks/slack_html_memory.sh);
// by hand, from this folder: `swift build -c release --product parser-floor`. The benchmark suite of
// the steps is the package in Suite/.
import PackageDescription

let package = Package(
    name: "threadline-benchmark-tools",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "parser-floor", targets: ["parser-floor"]),
        .executable(name: "threadline-html-bench", targets: ["threadline-html-bench"]),
        .executable(name: "parquet-writer-bench", targets: ["parquet-writer-bench"]),
    ],
    dependencies: [
        .package(path: "threadline")  // a link to the repository root, so the identity is `threadline` wherever it is cloned
    ],
    targets: [
        // libyaml and libxml2 as parser-floor calls them, with nothing of threadline's in between.
        .systemLibrary(
            name: "CParserFloor", path: "CParserFloor", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev", "libyaml-dev"])]),
        // What libyaml and libxml2 alone cost on a corpus: the floor Benchmarks/compare.sh reports.
        .executableTarget(
            name: "parser-floor",
            dependencies: ["CParserFloor"],
            path: "ParserFloor"),
        .testTarget(
            name: "ParserFloorTests",
            dependencies: ["parser-floor", .product(name: "ThreadlineHTML", package: "threadline")],
            path: "ParserFloorTests"),
        // Streams Slack-export HTML pages and prints MB/s (Benchmarks/slack_html_memory.sh).
        .executableTarget(
            name: "threadline-html-bench",
            dependencies: [
                .product(name: "ThreadlineSlack", package: "threadline"),
                .product(name: "ThreadlineHTML", package: "threadline"),
            ],
            path: "SlackHTMLReader"),
        // Throughput and peak memory of the Parquet writer (`swift run -c release parquet-writer-bench`).
        .executableTarget(
            name: "parquet-writer-bench", dependencies: [.product(name: "ThreadlineParquet", package: "threadline")],
            path: "ParquetWriter"),
    ]
)
