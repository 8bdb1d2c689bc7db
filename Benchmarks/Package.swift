// swift-tools-version:6.1
import Foundation
import PackageDescription

// Benchmarks for Telegen's hot paths, kept out of the main package so the test
// build stays lean. Run with scripts/bench; results are recorded in docs/benchmarks.md.

// A path dependency is identified by its directory name, which depends on where the
// repository was cloned.
let telegen = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "TelegenBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    // One executable per benchmark, each in Benchmarks/<name>.
    targets: ["NodeCollection", "ContainerCollection", "KubeStateStore", "Exposition", "OTLPExport", "EventStream", "AppMetricsParse"].map { name in
        .executableTarget(
            name: name,
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TelegenCore", package: telegen),
            ],
            path: "Benchmarks/\(name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)
