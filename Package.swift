// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "calls-service",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "calls-api", targets: ["calls-api"]),
        .executable(name: "calls-worker", targets: ["calls-worker"]),
        .executable(name: "calls-analyze", targets: ["calls-analyze"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CLame", pkgConfig: "lame", providers: [.apt(["libmp3lame-dev"])]),

        .target(name: "CallsCore"),
        .target(name: "AudioAnalysis", dependencies: ["CallsCore", "CSndfile", "CLame"]),
        .target(
            name: "CallsStore",
            dependencies: [
                "CallsCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "JobQueue",
            dependencies: [
                "CHiredis", "CallsCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "S3Client",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "RecordingStorage",
            dependencies: [
                "CallsCore", "S3Client",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Observability",
            dependencies: [
                "CallsStore", "JobQueue",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "CallsAPI",
            dependencies: [
                "CallsCore", "CallsStore", "JobQueue", "RecordingStorage", "AudioAnalysis", "Observability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "CallsWorker",
            dependencies: [
                "CallsCore", "CallsStore", "JobQueue", "RecordingStorage", "AudioAnalysis", "Observability",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "calls-api",
            dependencies: ["CallsAPI", "Observability", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "calls-worker",
            dependencies: ["CallsWorker", "CallsAPI", "Observability", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .target(
            name: "TestSupport",
            dependencies: [
                "CallsCore", "CallsStore", "JobQueue", "AudioAnalysis", "S3Client",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/TestSupport"
        ),
        .executableTarget(
            name: "calls-analyze",
            dependencies: ["AudioAnalysis", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .executableTarget(name: "calls-fuzz-decoder", dependencies: ["AudioAnalysis"]),
        .executableTarget(name: "calls-bench", dependencies: ["AudioAnalysis", "CSndfile"]),

        .testTarget(name: "CallsCoreTests", dependencies: ["CallsCore"]),
        .testTarget(name: "AudioAnalysisTests", dependencies: ["AudioAnalysis", "TestSupport"]),
        .testTarget(name: "CallsStoreTests", dependencies: ["CallsStore"]),
        .testTarget(name: "CallsWorkerTests", dependencies: ["CallsWorker"]),
        .testTarget(
            name: "RecordingStorageTests",
            dependencies: [
                "RecordingStorage", "S3Client", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "S3ClientTests",
            dependencies: ["S3Client", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .testTarget(
            name: "CallsAPITests",
            dependencies: [
                "CallsAPI", "TestSupport", "RecordingStorage", "Observability",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "CallsAPI", "CallsWorker", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
    ]
)
