#!/usr/bin/env bash
# Regenerates Sources/CallsProto from proto/ (`make proto`). The plugins are built from the package mirror in
# a build folder of their own, so the service's build never compiles or runs them; the output is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CALLS_APT_PACKAGES=(protobuf-compiler libprotobuf-dev)   # protoc, and the well-known types' .proto files
calls_install_packages

plugins=.build-proto
for product in protoc-gen-swift protoc-gen-grpc-swift-2; do
  swift build --package-path proto/plugins --scratch-path "$plugins" --product "$product"
done
bin=$(swift build --package-path proto/plugins --scratch-path "$plugins" --show-bin-path)

rm -rf Sources/CallsProto/calls Sources/CallsProto/grpc
protoc -I proto \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_out=Visibility=Public:Sources/CallsProto \
  --grpc-swift_out=Visibility=Public:Sources/CallsProto \
  calls/v1/calls.proto grpc/health/v1/health.proto
calls_log "generated $(find Sources/CallsProto -name '*.swift' | wc -l) files in Sources/CallsProto"
