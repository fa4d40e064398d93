import CallsCore
import CallsProto
import Foundation
import GRPCCore
import SwiftProtobuf
import TestSupport
import Testing

extension IntegrationSuite {
    /// A station's facts travel over gRPC as REST's `station` object does: the same rules, the same stored call.
    @Suite struct GRPCStationFactsTests {
        static func facts() -> Calls_V1_StationFacts {
            var facts = Calls_V1_StationFacts()
            facts.name = "pbx-7"
            facts.callID = "0d9a3c8e-2f61-4b6a-9d57-5c1e8f2a7b30"
            facts.direction = "internal"
            facts.answeredAt = .init(date: Date(timeIntervalSince1970: 1_795_253_403.25))
            facts.endedAt = .init(date: Date(timeIntervalSince1970: 1_795_253_460))
            facts.hangupCause = "NORMAL_CLEARING"
            facts.durationSec = 60
            facts.billableSec = 56
            return facts
        }

        @Test func factsSentOverGRPCAreTheFactsRESTShows() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { rest, grpc in
                    var create = GRPCTestClient.newCall()
                    create.station = Self.facts()
                    create.idempotencyKey = "pbx-7/facts"
                    let created = try await grpc.calls.createCall(create)
                    #expect(created.call.station == Self.facts())

                    let (status, body) = try await rest.json(.get, "/calls/\(created.call.id)")
                    #expect(status == .ok)
                    let object = try #require(try JSONSerialization.jsonObject(with: body.data) as? [String: Any])
                    let station = try #require(object["station"] as? [String: Any])
                    #expect(station["name"] as? String == "pbx-7")
                    #expect(station["call_id"] as? String == "0d9a3c8e-2f61-4b6a-9d57-5c1e8f2a7b30")
                    #expect(station["direction"] as? String == "internal")
                    #expect(station["answered_at"] as? String == "2026-11-21T09:30:03.250Z")
                    #expect(station["ended_at"] as? String == "2026-11-21T09:31:00.000Z")
                    #expect(station["hangup_cause"] as? String == "NORMAL_CLEARING")
                    #expect(
                        (station["duration_sec"] as? NSNumber)?.intValue == 60 && (station["billable_sec"] as? NSNumber)?.intValue == 56)
                    #expect(try await grpc.get(created.call.id).station == Self.facts())

                    // Without facts the message has none, as REST's `station` is null.
                    let plain = try await grpc.calls.createCall(GRPCTestClient.newCall()).call
                    #expect(!plain.hasStation)
                    let (_, plainBody) = try await rest.json(.get, "/calls/\(plain.id)")
                    #expect(plainBody.description.contains(#""station":null"#))
                }
            }
        }

        @Test func badFactsAndChangedFactsAreRefusedAsOverREST() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { _, grpc in
                    var nameless = GRPCTestClient.newCall()
                    nameless.station = Self.facts()
                    nameless.station.name = ""
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(nameless) }

                    var early = GRPCTestClient.newCall()
                    early.station = Self.facts()
                    early.station.endedAt = .init(date: Date(timeIntervalSince1970: 1_795_253_399))
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(early) }

                    var overbilled = GRPCTestClient.newCall()
                    overbilled.station = Self.facts()
                    overbilled.station.billableSec = 61
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(overbilled) }

                    // A timestamp beyond RFC 3339's years is refused like a bad text time over REST, not turned into an instant.
                    var farFuture = GRPCTestClient.newCall()
                    farFuture.station = Self.facts()
                    farFuture.station.answeredAt.seconds = .max
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(farFuture) }
                    var farStart = GRPCTestClient.newCall()
                    farStart.startedAt.seconds = .min
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(farStart) }
                    var farList = Calls_V1_ListCallsRequest()
                    farList.from.seconds = .max
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.listCalls(farList) }
                    var badNanos = GRPCTestClient.newCall()
                    badNanos.startedAt.nanos = -1
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(badNanos) }

                    var keyed = GRPCTestClient.newCall()
                    keyed.station = Self.facts()
                    keyed.idempotencyKey = "pbx-7/changed"
                    _ = try await grpc.calls.createCall(keyed)
                    keyed.station.hangupCause = "USER_BUSY"
                    await expectRPCError(.invalidArgument, problem: "idempotency_key_reused") { _ = try await grpc.calls.createCall(keyed) }
                }
            }
        }
    }
}
