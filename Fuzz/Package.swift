// swift-tools-version:6.1
import Foundation
import PackageDescription

// libFuzzer targets for Telegen's parsers of untrusted bytes (docs/fuzzing.md). Kept out
// of the main package so `swift build` there is untouched; built by scripts/fuzz with
// -sanitize=fuzzer,address into .build-fuzz.
//
// Mirror/ holds symbolic links to the main package's source directories, so the
// fuzzers compile exactly the parsers the agent runs, instrumented, and only those
// modules: depending on the main package would build (and instrument) SwiftNIO,
// AsyncHTTPClient and BoringSSL for OTLPWire, and could not reach the configuration
// loader, which lives in the Agent executable. The graph below mirrors the main
// package's (Package.swift) for the modules it names; keep the two in step.

/// A module of some of a main-package module's files: `sources` (files or directories
/// under Mirror/<directory>), every other Swift file there excluded.
func subset(_ name: String, of directory: String, _ sources: [String], dependencies: [Target.Dependency]) -> Target {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Mirror/\(directory)")
        .resolvingSymlinksInPath()
    let files = FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []
    let excluded = files.filter { file in file.hasSuffix(".swift") && !sources.contains { file == $0 || file.hasPrefix($0 + "/") } }
    return .target(name: name, dependencies: dependencies, path: "Mirror/\(directory)", exclude: excluded, sources: sources)
}

/// One executable per fuzzer: its harness, and main.swift handing it to libFuzzer.
func fuzzer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies + ["FuzzDriver"], path: "Targets/\(name)")
}

let package = Package(
    name: "TelegenFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CProtobufC", path: "Mirror/CProtobufC", pkgConfig: "libprotobuf-c"),
        .systemLibrary(name: "CNGHTTP2", path: "Mirror/CNGHTTP2", pkgConfig: "libnghttp2"),
        .systemLibrary(name: "COpenSSL", path: "Mirror/COpenSSL", pkgConfig: "openssl"),
        .systemLibrary(name: "CZlib", path: "Mirror/CZlib", pkgConfig: "zlib"),
        .target(name: "COTLP", dependencies: ["CProtobufC"], path: "Mirror/COTLP", sources: ["src"], publicHeadersPath: "include"),

        .target(name: "TelemetryModel", path: "Mirror/TelemetryModel"),
        .target(name: "CPrefetch", path: "Mirror/CPrefetch"),
        .target(name: "CJSONMarks", path: "Mirror/CJSONMarks"),
        .target(name: "CgroupReader", dependencies: ["TelemetryModel"], path: "Mirror/CgroupReader"),
        .target(name: "HTTP2Transport", dependencies: ["TelemetryModel", "CNGHTTP2", "COpenSSL", .product(name: "Logging", package: "swift-log")],
                path: "Mirror/HTTP2Transport"),
        .target(name: "KubeWatch", dependencies: ["TelemetryModel", "HTTP2Transport", "CPrefetch", "CJSONMarks", .product(name: "Yams", package: "Yams"),
                                                 .product(name: "Logging", package: "swift-log")],
                path: "Mirror/KubeWatch"),
        .target(name: "KubeState", dependencies: ["KubeWatch", "TelemetryModel", "HTTP2Transport", .product(name: "Logging", package: "swift-log")],
                path: "Mirror/KubeState"),
        // OTLPWire's gRPC response handling and the signal names only: the rest of the
        // module is the exporters (SwiftNIO, AsyncHTTPClient).
        subset("OTLPWire", of: "OTLPWire",
               ["GRPCMessageFraming.swift", "Gzip.swift", "GRPC/GRPCStatus.swift", "GRPC/GRPCStatusDetails.swift",
                "GRPC/GRPCUnaryCall.swift", "Protobuf/RPCStatus.swift", "Export/ExportCompression.swift", "Export/ExportBatch.swift"],
               dependencies: ["HTTP2Transport", "COTLP", "CProtobufC", "CZlib"]),
        // The Agent executable's configuration loader: its Config directory and the two
        // files the combined checks call.
        subset("AgentConfig", of: "Agent", ["Config", "Kubernetes/ShardAssignment.swift", "Streaming/ExportTarget.swift"],
               dependencies: ["KubeState", "KubeWatch", "HTTP2Transport", "OTLPWire", .product(name: "Yams", package: "Yams")]),
        // AppMetrics' exposition parser only: the module's scraping, discovery and mapping
        // need the transports and the Kubernetes model.
        subset("AppMetrics", of: "AppMetrics", ["Exposition"], dependencies: []),

        .systemLibrary(name: "FuzzDriver", path: "Driver"),
        fuzzer("FuzzJSONReader", ["KubeWatch"]),
        fuzzer("FuzzPodDecoder", ["KubeState", "KubeWatch"]),
        fuzzer("FuzzKernelFiles", ["CgroupReader"]),
        fuzzer("FuzzGRPCResponse", ["OTLPWire", "HTTP2Transport"]),
        fuzzer("FuzzKubeconfig", ["KubeWatch"]),
        fuzzer("FuzzAgentConfig", ["AgentConfig"]),
        fuzzer("FuzzExposition", ["AppMetrics"]),
    ]
)
