import CallsAPI
import CallsProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle
import TestSupport
import Testing

extension IntegrationSuite {
    /// What a gRPC client may hold on the server, as REST bounds it: an upload at REST's minimum rate, health
    /// watches under REST's watcher cap, and none of them past a graceful shutdown.
    @Suite struct GRPCLimitTests {
        typealias HealthRequest = Grpc_Health_V1_HealthCheckRequest

        static func header(_ callID: String) -> Calls_V1_UploadRecordingRequest {
            var header = Calls_V1_UploadRecordingRequest()
            header.header.callID = callID
            header.header.filename = "slow.wav"
            return header
        }

        static func chunk(_ data: Data) -> Calls_V1_UploadRecordingRequest {
            var chunk = Calls_V1_UploadRecordingRequest()
            chunk.chunk = data
            return chunk
        }

        /// With a minimum of 2 000 bytes/s after 1 s: an upload trickling 500 bytes/s, and one that stops after
        /// its first chunk, are refused as REST refuses a slow upload; they leave no file, and the call still
        /// takes a recording sent at full speed. Without the check both would run to their end (8 s) and be
        /// refused as not audio instead.
        @Test func uploadsSlowerThanTheMinimumRateAreCutOffAndLeaveNothing() async throws {
            try await Stack.withMigrated { plain, _ in
                var stack = plain
                stack.api.httpIdleTimeoutSeconds = 1
                stack.api.uploadMinBytesPerSecond = 2_000
                try await stack.withAPIAndGRPC { [stack] _, grpc in
                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    let audio = CallFlowTests.dialogue()
                    await expectRPCError(.deadlineExceeded, problem: "upload_too_slow") {
                        _ = try await grpc.calls.uploadRecording { writer in
                            try await writer.write(Self.header(id))
                            for piece in 0..<40 {
                                try await writer.write(Self.chunk(audio.subdata(in: (piece * 100)..<((piece + 1) * 100))))
                                try await Task.sleep(for: .milliseconds(200))
                            }
                        }
                    }
                    await expectRPCError(.deadlineExceeded, problem: "upload_too_slow") {
                        _ = try await grpc.calls.uploadRecording { writer in
                            try await writer.write(Self.header(id))
                            try await writer.write(Self.chunk(audio.prefix(4_000)))
                            try await Task.sleep(for: .seconds(8))
                        }
                    }
                    let incoming = stack.recordings.path + "/.incoming"
                    let cleaned = try await waitUntil(within: 10) {
                        ((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty
                    }
                    #expect(cleaned, "\((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [])")
                    #expect(stack.recordings.files().isEmpty, "\(stack.recordings.files())")
                    #expect(try await grpc.get(id).hasRecording == false)

                    let accepted = try await grpc.upload(audio, toCall: id)
                    #expect(accepted.callID == id && accepted.sizeBytes == Int64(audio.count))
                }
            }
        }

        /// `CALLS_MAX_WATCHERS` health watches at most, as many as event streams: past it UNAVAILABLE
        /// `watchers_exhausted` with `retry-after`, and a place is free again once a watch ends.
        @Test func healthWatchesAreCapped() async throws {
            try await Stack.withMigrated { plain, _ in
                var stack = plain
                stack.api.maxWatchers = 2
                try await stack.withAPIAndGRPC { _, grpc in
                    let (opened, open) = AsyncStream<Void>.makeStream()
                    await withThrowingTaskGroup(of: Void.self) { watches in
                        for _ in 0..<2 {
                            watches.addTask {
                                try await grpc.health.watch(HealthRequest()) { response in
                                    for try await message in response.messages {
                                        #expect(message.status == .serving)
                                        open.yield()
                                    }
                                }
                            }
                        }
                        var openings = opened.makeAsyncIterator()
                        for _ in 0..<2 { _ = await openings.next() }

                        do {
                            try await grpc.health.watch(HealthRequest()) { response in
                                for try await _ in response.messages { return }
                            }
                            Issue.record("a third health watch was admitted past the cap of 2")
                        } catch let error as RPCError {
                            #expect(error.code == .unavailable, "\(error)")
                            #expect(Array(error.metadata[stringValues: "calls-problem-code"]) == ["watchers_exhausted"], "\(error)")
                            #expect(Array(error.metadata[stringValues: "retry-after"]) == ["5"], "\(error)")
                        } catch {
                            Issue.record("expected UNAVAILABLE, got \(error)")
                        }
                        watches.cancelAll()
                        while await watches.nextResult() != nil {}
                    }

                    // The server notices the ended watches a moment after the client.
                    var refused = 0
                    while true {
                        do {
                            let first = try await grpc.health.watch(HealthRequest()) {
                                response -> Grpc_Health_V1_HealthCheckResponse.ServingStatus? in
                                for try await message in response.messages { return message.status }
                                return nil
                            }
                            #expect(first == .serving)
                            break
                        } catch let error as RPCError where error.code == .unavailable && refused < 20 {
                            refused += 1
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        }

        /// A graceful shutdown ends an open health watch at once, NOT_SERVING last: without that the server
        /// would wait for it until its grace time (30 s) and then drop the connection, failing the watch.
        @Test func aShutdownEndsHealthWatchesWithNotServing() async throws {
            try await Stack.withMigrated { stack, _ in
                var configuration = stack.api
                configuration.grpcPort = 0
                let listening = GRPCListeningPort()
                let app = try buildApplication(
                    configuration: configuration, migrations: .require, logger: TestServices.logger, grpcListening: listening)
                let services = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: TestServices.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await services.run() }
                    let port = await listening.port
                    let statuses = try await withGRPCClient(
                        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
                    ) { client in
                        try await Grpc_Health_V1_Health.Client(wrapping: client).watch(HealthRequest()) { response in
                            var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                            for try await message in response.messages {
                                seen.append(message.status)
                                if seen.count == 1 { await services.triggerGracefulShutdown() }
                            }
                            return seen
                        }
                    }
                    #expect(statuses == [.serving, .notServing])
                    try await group.waitForAll()
                }
            }
        }
    }
}
