// swift-tools-version: 6.0
// The protoc plugins that `make proto` runs. A package of its own so that the service's build never
// compiles them (their first build takes minutes); the code they generate is committed.
import PackageDescription

let package = Package(
    name: "proto-plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ]
)
