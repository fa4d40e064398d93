import CallsCore
import Foundation
import Testing

@Suite struct JSONShapeTests {
    @Test func callKeepsTheOriginalsShape() throws {
        let id = UUID(uuidString: "0B8D5C4E-1F0A-4C0B-9B1E-6A1D2C3E4F50")!
        let call = Call(
            id: id, caller: "+100", receiver: "+200", startedAt: Timestamp.parse("2026-11-21T09:30:00Z")!,
            status: .created, tags: [], createdAt: Timestamp.parse("2026-11-21T09:31:00.5Z")!,
            updatedAt: Timestamp.parse("2026-11-21T09:31:00.5Z")!)
        let json = try JSONCoding.encodeToString(call)
        #expect(
            json == """
                {"callback":null,"caller":"+100","created_at":"2026-11-21T09:31:00.500Z","error":null,"id":"0b8d5c4e-1f0a-4c0b-9b1e-6a1d2c3e4f50",\
                "origin":null,"receiver":"+200","recording":null,"started_at":"2026-11-21T09:30:00.000Z","station":null,"status":"created",\
                "tags":[],"updated_at":"2026-11-21T09:31:00.500Z"}
                """)
    }

    @Test func stationFactsShowEveryFieldNullWhenTheStationDidNotSay() throws {
        #expect(
            try JSONCoding.encodeToString(StationFacts(name: "pbx-1")) == """
                {"answered_at":null,"billable_sec":null,"call_id":null,"direction":null,"duration_sec":null,"ended_at":null,\
                "hangup_cause":null,"name":"pbx-1"}
                """)
        let full = StationFacts(
            name: "pbx-1", callID: "c-1", direction: "inbound", answeredAt: Timestamp.parse("2026-11-21T09:30:02Z"),
            endedAt: Timestamp.parse("2026-11-21T09:31:00Z"), hangupCause: "NORMAL_CLEARING", durationSec: 60, billableSec: 58)
        #expect(try JSONCoding.decode(StationFacts.self, from: try JSONCoding.encodeToString(full)) == full)
    }

    @Test func anImportedCallsOriginShowsEveryFieldWithItsContextAsSent() throws {
        let origin = CallOrigin(
            source: "crm", externalID: 42, context: .object(["queueName": .string("vip"), "n": .integer(9_007_199_254_740_993)]),
            legs: [
                CallLeg(
                    connectionID: 7, phone: "+1", initiatedAt: Timestamp.parse("2026-11-21T09:30:00Z")!, answeredAt: nil,
                    finishedAt: nil)
            ], events: [CallSourceEvent(eventID: 3, eventType: "hangup", payload: .object([:]))])
        #expect(
            try JSONCoding.encodeToString(origin) == """
                {"context":{"n":9007199254740993,"queueName":"vip"},"direction":null,"ended_at":null,\
                "events":[{"event_id":3,"event_type":"hangup","payload":{}}],"external_id":42,\
                "legs":[{"answered_at":null,"connection_id":7,"finished_at":null,"initiated_at":"2026-11-21T09:30:00.000Z",\
                "phone":"+1"}],"media_record_id":null,"operator":null,"scenario_id":null,"source":"crm"}
                """)
    }

    @Test func anArchiveAlwaysShowsEveryFieldAndARecordingSaysWhetherItsOriginalIsKept() throws {
        let pending = try JSONCoding.encodeToString(RecordingArchive(status: .pending))
        #expect(
            pending == """
                {"archived_at":null,"bitrate_kbps":null,"bitrate_mode":null,"error":null,"format":"mp3","sha256":null,\
                "size_bytes":null,"status":"pending"}
                """)
        let done = RecordingArchive(
            status: .done, bitrateKbps: 48, bitrateMode: .constant, sizeBytes: 33_600, sha256: "ab",
            archivedAt: Timestamp.parse("2026-11-21T09:31:00.5Z")!)
        #expect(
            try JSONCoding.encodeToString(done) == """
                {"archived_at":"2026-11-21T09:31:00.500Z","bitrate_kbps":48,"bitrate_mode":"cbr","error":null,"format":"mp3",\
                "sha256":"ab","size_bytes":33600,"status":"done"}
                """)
        let recording = Recording(
            id: UUID(), filename: "a.wav", format: .wav, sizeBytes: 1, sha256: "cd", sampleRate: 8000, channels: 1,
            originalAvailable: false, archive: done)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(JSONCoding.encodeToString(recording).utf8)) as? [String: Any])
        #expect(object["original_available"] as? Bool == false)
        #expect((object["archive"] as? [String: Any])?["status"] as? String == "done")
    }

    @Test func silenceMarksAreSecondsWithMillisecondPrecision() throws {
        let marks = [SilenceMark(startMs: 1250, endMs: 3001), SilenceMark(startMs: 0, endMs: 500, channel: 1)]
        let json = try JSONCoding.encodeToString(marks)
        #expect(json == #"[{"end":3.001,"start":1.25},{"channel":1,"end":0.5,"start":0}]"#)
        #expect(try JSONCoding.decode([SilenceMark].self, from: json) == marks)
    }
}

/// Analyses stored by earlier versions must still read: the API serves them.
@Suite struct StoredAnalysisCompatibilityTests {
    @Test func anAnalysisStoredBeforeMetricsAndNewSettingsStillDecodes() throws {
        let stored = """
            {"channel_silences":[{"end":3.5,"start":1.5}],"settings":{"absolute_floor_db":-55,"channel_speakers":["caller","receiver"],
            "frame_ms":10,"hangover_ms":250,"hysteresis_db":4,"margin_db":12,"min_silence_ms":500,"min_speech_ms":120,
            "noise_window_ms":20000},"silence_ms":2000,"timeline":[{"channel":0,"end":1.5,"speaker":"speech","start":0}]}
            """
        let analysis = try JSONCoding.decode(CallAnalysis.self, from: stored)
        #expect(analysis.metrics == nil)
        #expect(analysis.settings.decodeBudgetSeconds == AnalysisSettings().decodeBudgetSeconds)
        #expect(analysis.timeline.count == 1)
    }
}
