// swift-tools-version:6.1
import PackageDescription

// Telegen: one Kubernetes node agent in place of kube-state-metrics, cAdvisor and an
// event exporter. Read -> model -> encode -> send; no module reaches back up:
//
//   CgroupReader, KubeWatch, KubeState, EventLogs  (read kernel files / the Kubernetes API)
//        -> TelemetryModel                  (typed families, exposition, signal metadata)
//        -> OTLPWire                     (OTLP protobuf; gRPC over HTTP/2 + TLS, or OTLP/HTTP)
//   Agent wires them together (config, scheduling, serving, lifecycle).

let package = Package(
    name: "telegen",
    products: [
        .executable(name: "telegen", targets: ["Agent"]),
        // For the benchmark package in Benchmarks/; the agent itself is the product.
        .library(name: "TelegenCore", targets: ["TelemetryModel", "CgroupReader", "HTTP2Transport", "OTLPWire", "KubeWatch", "KubeState", "EventLogs", "AppMetrics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // OTLP/HTTP (`protocol: http/protobuf`): HTTP/1.1 or HTTP/2 (ALPN) over NIOSSL.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        // C libraries from Debian, imported through shim headers.
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // protobuf-c code generated from proto/ by proto/generate.sh (committed).
        .target(
            name: "COTLP",
            dependencies: ["CProtobufC"],
            path: "proto/c",
            sources: ["src"],
            publicHeadersPath: "include"
        ),

        .target(name: "TelemetryModel"),
        // The processor's prefetch hint, which Swift cannot spell (the record stores' walks).
        .target(name: "CPrefetch"),
        // A vector compare's byte masks for JSON's quotes, escapes and brackets, which Swift
        // cannot spell (the LIST splitter's and the JSON skip's scan).
        .target(name: "CJSONMarks"),
        .target(name: "CgroupReader", dependencies: ["TelemetryModel"]),
        // HTTP/2 over cleartext or TLS on nghttp2 + OpenSSL; the OTLP exporter and the
        // Kubernetes API client share it.
        .target(name: "HTTP2Transport", dependencies: ["TelemetryModel", "CNGHTTP2", "COpenSSL", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "OTLPWire",
            dependencies: [
                "TelemetryModel", "HTTP2Transport", "COTLP", "CProtobufC", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "KubeWatch",
            dependencies: ["TelemetryModel", "HTTP2Transport", "CPrefetch", "CJSONMarks", .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log")]
        ),
        // kube-state-metrics' kinds and families: the resource registry, the generator
        // tables, the stores of rendered samples and the watches that fill them.
        .target(
            name: "KubeState",
            dependencies: ["KubeWatch", "TelemetryModel", "HTTP2Transport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "EventLogs",
            dependencies: ["KubeWatch", "TelemetryModel", "HTTP2Transport", .product(name: "Logging", package: "swift-log")]
        ),
        // Application metrics: scrape pods' Prometheus/OpenMetrics endpoints (docs/apps.md).
        .target(name: "AppMetrics", dependencies: ["TelemetryModel", "CZlib",
                                                  .product(name: "Logging", package: "swift-log"),
                                                  .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                  .product(name: "NIOCore", package: "swift-nio"),
                                                  .product(name: "NIOHTTP1", package: "swift-nio"),
                                                  .product(name: "NIOPosix", package: "swift-nio"),
                                                  .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .executableTarget(
            name: "Agent",
            dependencies: [
                "TelemetryModel", "CgroupReader", "HTTP2Transport", "OTLPWire", "KubeWatch", "KubeState", "EventLogs", "AppMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Helpers for tests that drive real peers (promtool, node_exporter, Python's grpcio).
        .target(name: "TestSupport", dependencies: ["CgroupReader", "TelemetryModel"], path: "Tests/TestSupport"),
        .testTarget(name: "TelemetryModelTests", dependencies: ["TelemetryModel"]),
        .testTarget(name: "CgroupReaderTests", dependencies: ["CgroupReader", "TelemetryModel", "TestSupport"]),
        .testTarget(name: "HTTP2TransportTests", dependencies: ["HTTP2Transport", "TestSupport"]),
        .testTarget(
            name: "OTLPWireTests",
            dependencies: ["OTLPWire", "HTTP2Transport", "TelemetryModel", "COTLP", "CProtobufC", "TestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "KubeWatchTests", dependencies: ["KubeWatch", "HTTP2Transport", "TestSupport"]),
        .testTarget(name: "KubeStateTests", dependencies: ["KubeState", "KubeWatch", "HTTP2Transport", "TelemetryModel", "TestSupport"]),
        .testTarget(name: "EventLogsTests", dependencies: ["EventLogs", "KubeWatch", "HTTP2Transport", "TelemetryModel", "TestSupport"]),
        .testTarget(name: "AppMetricsTests", dependencies: ["AppMetrics", "TelemetryModel", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "AppMetrics", "TelemetryModel", "CgroupReader", "KubeState", "EventLogs", "OTLPWire", "HTTP2Transport", "TestSupport",
                                                 .product(name: "Yams", package: "Yams")]),
    ]
)
