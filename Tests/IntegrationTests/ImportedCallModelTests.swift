import CallsCore
import CallsStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// An imported call is a call: `GET /calls/{id}` and `GET /calls` show it with its origin, legs, events
    /// and operator, the usual filters find it, and a recording uploaded later is analysed like any other.
    @Suite struct ImportedCallModelTests {
        /// Call 42 of source `crm` as the fetchers store it: two legs (the second answered), three events (the
        /// operator assigned, then reassigned to one whose row says another name), the operators' rows.
        static func seedImportedCall(_ url: DatabaseURL) async throws -> UUID {
            try await TestServices.withPostgres(url) { postgres in
                let id = UUID()
                for statement: PostgresQuery in [
                    """
                    INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, source, external_id,
                                       direction, ended_at, scenario_id, media_record_id, context)
                    VALUES (\(id), '+7 900 555-01-02', '+7 495 100-00-01', '79005550102', '74951000001',
                            '2026-11-21T10:00:00Z', 'crm', 42, 'inbound', '2026-11-21T10:05:30Z', 'support-line',
                            'media-42', '{"queueName": "vip", "attempt": 2, "ratio": 0.5, "flags": [true, null]}')
                    """,
                    """
                    INSERT INTO call_legs (source, connection_id, call_id, phone, phone_digits, initiated_at, answered_at, finished_at)
                    VALUES ('crm', 8, 42, '+7 495 100-00-02', '74951000002', '2026-11-21T10:00:40Z', '2026-11-21T10:00:50Z', '2026-11-21T10:05:30Z'),
                           ('crm', 7, 42, '+7 495 100-00-01', '74951000001', '2026-11-21T10:00:05Z', NULL, '2026-11-21T10:00:35Z'),
                           ('crm', 9, 43, '+7 495 100-00-09', '74951000009', '2026-11-21T10:00:05Z', NULL, NULL)
                    """,
                    """
                    INSERT INTO call_source_events (source, event_id, call_id, event_type, payload, operator_id)
                    VALUES ('crm', 101, 42, 'operator_assigned', '{"operator_id": 5, "name": "Ann (event)"}', 5),
                           ('crm', 100, 42, 'call_initiated', '{}', NULL),
                           ('crm', 102, 42, 'operator_assigned', '{"operator_id": 6, "name": "Bob (event)"}', 6),
                           ('crm', 103, 43, 'hangup', '{}', NULL)
                    """,
                    "INSERT INTO source_operators (source, operator_id, name) VALUES ('crm', 6, 'Bob Stone'), ('pbx2', 6, 'Not Bob')",
                ] {
                    _ = try await postgres.query(statement, logger: TestServices.logger).collect()
                }
                return id
            }
        }

        @Test func anImportedCallShowsItsOriginLegsEventsAndOperator() async throws {
            try await Stack.withMigrated { stack, url in
                let id = try await Self.seedImportedCall(url)
                try await stack.withAPI { client in
                    let (status, body) = try await client.json(.get, "/calls/\(id.lowercasedString)")
                    #expect(status == .ok, "\(body)")
                    let call = try body.decode(Call.self)
                    #expect(call.caller == "+7 900 555-01-02" && call.status == .created && call.recording == nil)
                    let origin = try #require(call.origin, "\(body)")
                    #expect(origin.source == "crm" && origin.externalID == 42 && origin.direction == "inbound")
                    #expect(origin.endedAt == Timestamp.parse("2026-11-21T10:05:30Z"))
                    #expect(origin.scenarioID == "support-line" && origin.mediaRecordID == "media-42")
                    #expect(origin.legs.map(\.connectionID) == [7, 8])
                    #expect(origin.legs.map(\.answeredAt) == [nil, Timestamp.parse("2026-11-21T10:00:50Z")])
                    #expect(origin.events.map(\.eventID) == [100, 101, 102])
                    #expect(origin.events[1].payload == .object(["operator_id": .integer(5), "name": .string("Ann (event)")]))
                    // The last assignment, named from the source's own operators row.
                    #expect(origin.operator == CallOperator(id: 6, name: "Bob Stone"))
                    // The context reads back as sent: its keys are not snake-cased, integers stay integers.
                    #expect(body.description.contains(#""queueName":"vip""#), "\(body)")
                    #expect(body.description.contains(#""attempt":2,"#) || body.description.contains(#""attempt":2}"#), "\(body)")
                    #expect(
                        origin.context
                            == .object([
                                "queueName": .string("vip"), "attempt": .integer(2), "ratio": .number(0.5),
                                "flags": .array([.bool(true), .null]),
                            ]))
                }
            }
        }

        @Test func theListShowsAndFiltersImportedCalls() async throws {
            try await Stack.withMigrated { stack, url in
                let id = try await Self.seedImportedCall(url).lowercasedString
                try await stack.withAPI { client in
                    let own = try await client.createCall(caller: "+7 900 555-01-02")
                    for (query, expected) in [
                        ("source=crm", [id]), ("source=crm&external_id=42", [id]), ("source=crm&external_id=43", []),
                        ("source=pbx2", []), ("media_record_id=media-42", [id]), ("media_record_id=media-43", []),
                        ("phone=%2B79005550102", [own, id]), ("from=2026-11-21T09:59:00Z&to=2026-11-21T10:01:00Z", [id]),
                    ] {
                        let (status, page) = try await client.json(.get, "/calls?\(query)", as: CallListPage.self)
                        #expect(status == .ok)
                        #expect(Set(page.ids) == Set(expected), "\(query)")
                        if let imported = page.items.first(where: { $0.id.lowercasedString == id }) {
                            #expect(imported.origin?.legs.count == 2 && imported.origin?.events.count == 3, "\(query)")
                            #expect(imported.origin?.operator?.name == "Bob Stone", "\(query)")
                        }
                    }
                    let apiCall = try await client.call(own)
                    #expect(apiCall.origin == nil)
                }
            }
        }

        @Test(arguments: [
            "external_id=42", "source=crm&external_id=x", "media_record_id=\(String(repeating: "m", count: 201))", "source=crm%00",
            "media_record_id=m%00",
        ])
        func badOriginFiltersAreValidationProblems(_ query: String) async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    let (status, body) = try await client.json(.get, "/calls?\(query)")
                    #expect(status == .unprocessableContent, "\(body)")
                    #expect(body.problem?.code == "validation_failed", "\(body)")
                }
            }
        }

        @Test func aRecordingUploadedLaterIsLinkedByMediaRecordAndAnalysed() async throws {
            try await Stack.withMigrated { stack, url in
                let id = try await Self.seedImportedCall(url).lowercasedString
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let (_, page) = try await client.json(.get, "/calls?media_record_id=media-42", as: CallListPage.self)
                        #expect(page.ids == [id])
                        let port = try #require(client.port)
                        let (status, accepted) = try await streamUpload(
                            port: port, callID: id, body: CallFlowTests.multipart(CallFlowTests.dialogue()), chunkSize: 1 << 16)
                        #expect(status == 202, "\(accepted)")
                        let call = try await client.waitForFinalStatus(id)
                        #expect(call.status == .ready, "\(call)")
                        #expect(call.recording?.durationSec == 5.6)
                        #expect(call.origin?.externalID == 42 && call.origin?.legs.count == 2)
                    }
                }
            }
        }
    }
}
