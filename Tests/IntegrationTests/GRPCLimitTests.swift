import CallsAPI
import CallsProto
import Foundation
import GRPCCore
import TestSupport
import Testing

extension IntegrationSuite {
    /// What a gRPC client may hold on the server, as REST bounds it: an upload at REST's minimum rate.
    @Suite struct GRPCLimitTests {
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
    }
}
