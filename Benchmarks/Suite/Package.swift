// swift-tools-version:6.1
// The benchmark suite (ordo-one/benchmark): its own package, so that neither users' nor CI's builds of
// threadline pay for it. Run from this folder: `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "threadline-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "threadline"),  // a link to the repository root, so the identity is `threadline` wherever it is cloned
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ThreadlineBenchmarks",
            dependencies: [
                .product(name: "ThreadlineCore", package: "threadline"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ThreadlineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")])
    ]
)
