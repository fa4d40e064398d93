// swift-tools-version:6.1
import PackageDescription

// Every module a target imports is named here, the package's own and other packages' products alike
// (`make test` builds with --explicit-target-dependency-import-check error, which checks the package's own).
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let asyncHTTPClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let grpcCore = Target.Dependency.product(name: "GRPCCore", package: "grpc-swift-2")
let grpcNIOTransport = Target.Dependency.product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")
let grpcProtobuf = Target.Dependency.product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")
let swiftProtobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdCore = Target.Dependency.product(name: "HummingbirdCore", package: "hummingbird")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let nioHTTPTypes = Target.Dependency.product(name: "NIOHTTPTypes", package: "swift-nio-extras")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
let postgresNIO = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "calls-service",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "calls-api", targets: ["calls-api"]),
        .executable(name: "calls-worker", targets: ["calls-worker"]),
        .executable(name: "calls-analyze", targets: ["calls-analyze"]),
        .executable(name: "calls-traffic", targets: ["calls-traffic"]),
        .executable(name: "calls-events", targets: ["calls-events"]),
        .executable(name: "calls-loadgen", targets: ["calls-loadgen"]),
        .executable(name: "calls-ingest", targets: ["calls-ingest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CLame", pkgConfig: "lame", providers: [.apt(["libmp3lame-dev"])]),

        .target(name: "CallsCore"),
        .target(name: "QueuePanel", dependencies: ["CallsCore"]),
        .target(name: "SeededRandomness"),
        .target(name: "QueueTraffic", dependencies: ["SeededRandomness"]),
        .target(name: "Activity", dependencies: ["CallsCore"]),
        .target(name: "AudioAnalysis", dependencies: ["CallsCore", "CSndfile", "CLame"]),
        .target(name: "IngestMetadata", dependencies: ["CallsCore"]),
        .target(name: "CallsStore", dependencies: ["Activity", "CallsCore", "QueuePanel", postgresNIO, nioPosix, crypto, logging]),
        .target(name: "JobQueue", dependencies: ["CHiredis", "CallsCore", nioCore, nioPosix, nioSSL]),
        .target(name: "EventBus", dependencies: ["JobQueue"]),
        .target(name: "S3Client", dependencies: [crypto, asyncHTTPClient, nioCore, nioHTTP1]),
        .target(name: "RecordingStorage", dependencies: ["CallsCore", "S3Client", asyncHTTPClient, crypto, nioCore, nioPosix]),
        .target(name: "Observability", dependencies: ["CallsStore", "EventBus", "JobQueue", hummingbird, logging, metrics, prometheus]),
        .target(name: "ServiceStartup", dependencies: ["CallsCore", "Observability", logging]),
        .target(name: "EventTail", dependencies: [asyncHTTPClient, logging, nioCore]),
        .target(
            name: "StationIngest",
            dependencies: [
                "CallsCore", "CallsProto", "IngestMetadata", asyncHTTPClient, crypto, grpcCore, grpcNIOTransport, nioCore, nioHTTP1,
                nioPosix,
                swiftProtobuf,
            ]),
        // Generated by `make proto` from proto/ and committed: the build never runs protoc.
        .target(name: "CallsProto", dependencies: [grpcCore, grpcProtobuf, swiftProtobuf]),
        .target(
            name: "ActivityLoad", dependencies: ["Activity", "CallsCore", "SeededRandomness", argumentParser, asyncHTTPClient, nioCore]),
        .target(
            name: "CallsAPI",
            dependencies: [
                "Activity", "CallsCore", "CallsProto", "CallsStore", "EventBus", "JobQueue", "QueuePanel", "RecordingStorage",
                "AudioAnalysis", "Observability", crypto, grpcCore, grpcNIOTransport, grpcProtobuf, httpTypes, hummingbird,
                hummingbirdCore,
                logging, metrics, nioCore, nioHTTPTypes, nioPosix, postgresNIO, prometheus, serviceLifecycle, swiftProtobuf,
            ]
        ),
        .target(
            name: "CallsWorker",
            dependencies: [
                "CallsCore", "CallsStore", "EventBus", "JobQueue", "QueuePanel", "RecordingStorage", "AudioAnalysis",
                "Observability", asyncHTTPClient, crypto, hummingbird, logging, metrics, nioCore, nioHTTP1, nioPosix, postgresNIO,
                prometheus, serviceLifecycle,
            ]
        ),
        .executableTarget(
            name: "calls-api",
            dependencies: [
                "CallsAPI", "CallsCore", "CallsStore", "Observability", "ServiceStartup", argumentParser, hummingbird, logging,
                postgresNIO,
            ]
        ),
        .executableTarget(
            name: "calls-worker", dependencies: ["CallsWorker", "CallsCore", "Observability", "ServiceStartup", argumentParser]
        ),
        .executableTarget(name: "calls-analyze", dependencies: ["AudioAnalysis", "CallsCore", argumentParser]),
        .executableTarget(name: "calls-events", dependencies: ["EventTail", argumentParser, asyncHTTPClient, logging]),
        .executableTarget(name: "calls-loadgen", dependencies: ["ActivityLoad", argumentParser]),
        // The station client is linked statically against the Swift runtime and Foundation, without exporting its
        // symbols and not position-independent: no shared library's relocations, symbol tables and dirtied data
        // pages, 9 MB less resident memory at start (BENCHMARKS.md, station client). The modules were compiled
        // for dynamic linking, so the static libraries their imports need are named here.
        .executableTarget(
            name: "calls-ingest", dependencies: ["StationIngest", argumentParser, grpcCore, nioPosix],
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-stdlib", "-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie", "-Xlinker", "--start-group",
                        "-lFoundation", "-lFoundationEssentials", "-lFoundationInternationalization", "-lCoreFoundation",
                        "-l_FoundationICU", "-l_FoundationCollections", "-l_FoundationCShims", "-lswiftSynchronization",
                        "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-Xlinker", "--end-group",
                    ], .when(platforms: [.linux]))
            ]),
        .executableTarget(name: "calls-fuzz-decoder", dependencies: ["AudioAnalysis", "CallsCore"]),
        .executableTarget(name: "calls-traffic", dependencies: ["QueueTraffic", argumentParser]),
        .executableTarget(name: "calls-bench", dependencies: ["AudioAnalysis", "CallsCore", "CSndfile", crypto]),

        .target(name: "CPUBoundTesting", path: "Tests/CPUBoundTesting"),
        .target(
            name: "TestSupport",
            dependencies: [
                "CallsCore", "CallsStore", "JobQueue", "AudioAnalysis", "S3Client", asyncHTTPClient, httpTypes, nioCore,
                hummingbirdTesting,
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "CallsCoreTests", dependencies: ["CallsCore"]),
        .testTarget(name: "CPUBoundTestingTests", dependencies: ["CPUBoundTesting"]),
        .testTarget(name: "QueuePanelTests", dependencies: ["QueuePanel"]),
        .testTarget(name: "IngestMetadataTests", dependencies: ["CPUBoundTesting", "IngestMetadata", "SeededRandomness"]),
        .testTarget(name: "ActivityTests", dependencies: ["Activity", "CallsCore", "CPUBoundTesting"]),
        .testTarget(
            name: "ActivityLoadTests",
            dependencies: [
                "Activity", "ActivityLoad", "CallsCore", "CPUBoundTesting", "SeededRandomness", argumentParser, hummingbird, logging,
                nioCore,
            ]
        ),
        .testTarget(name: "QueueTrafficTests", dependencies: ["CPUBoundTesting", "QueuePanel", "QueueTraffic"]),
        .testTarget(
            name: "StationIngestTests",
            dependencies: ["CallsProto", "StationIngest", "TestSupport", grpcCore, nioCore, nioPosix, swiftProtobuf]),
        .testTarget(
            name: "EventTailTests", dependencies: ["EventTail", "TestSupport", hummingbird, logging, nioCore]),
        .testTarget(name: "AudioAnalysisTests", dependencies: ["AudioAnalysis", "CallsCore", "CPUBoundTesting", "TestSupport"]),
        .testTarget(name: "CallsStoreTests", dependencies: ["CallsCore", "CallsStore", postgresNIO]),
        .testTarget(
            name: "CallsWorkerTests", dependencies: ["CallsCore", "CallsStore", "CallsWorker", "JobQueue", "TestSupport", logging]),
        .testTarget(
            name: "RecordingStorageTests",
            dependencies: ["RecordingStorage", "S3Client", "TestSupport", asyncHTTPClient, nioCore, nioPosix]
        ),
        .testTarget(name: "S3ClientTests", dependencies: ["S3Client", "TestSupport", asyncHTTPClient, nioCore]),
        .testTarget(
            name: "CallsAPITests",
            dependencies: [
                "Activity", "CallsAPI", "CallsCore", "CallsProto", "CallsStore", "CPUBoundTesting", "EventBus", "JobQueue",
                "Observability", "RecordingStorage", "SeededRandomness", "TestSupport", crypto, grpcCore,
                httpTypes, hummingbird, hummingbirdTesting, logging, nioCore, nioPosix, postgresNIO, prometheus, swiftProtobuf,
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Activity", "AudioAnalysis", "CallsAPI", "CallsCore", "CallsProto", "CallsStore", "CallsWorker", "EventBus",
                "JobQueue", "Observability", "QueuePanel", "QueueTraffic", "SeededRandomness", "StationIngest",
                "RecordingStorage", "S3Client", "TestSupport", asyncHTTPClient, crypto, grpcCore, grpcNIOTransport, httpTypes,
                hummingbird, hummingbirdTesting, logging, nioCore, nioHTTP1, nioPosix, postgresNIO, prometheus, serviceLifecycle,
                swiftProtobuf,
            ]
        ),
    ]
)
