import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport

/// What the lease tests start from: a call whose recording waits for its analysis, written straight to
/// PostgreSQL (no API, no file), and an analysis result to commit.
enum AnalysisLeaseFixture {
    static let callbacks = CallbackPolicy(signingKey: String(repeating: "k", count: 32))

    /// The new call's id; with `callbackURL`, its callback becomes due once it is final.
    static func callAwaitingAnalysis(_ client: PostgresClient, callbackURL: String? = nil) async throws -> UUID {
        let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
        let call = try await calls.create(
            try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-11-21T09:00:00Z", callbackUrl: callbackURL)
                .validated(callbacks: callbacks))
        _ = try await calls.attachRecording(
            NewRecording(
                id: UUID(), filename: "a.wav", storageKey: "leases/\(call.id.lowercasedString).wav", format: .wav,
                sizeBytes: 1, sha256: "0", sampleRate: 8000, channels: 1),
            toCall: call.id, jobPayload: Job(kind: .analyze, callID: call.id).payload)
        return call.id
    }

    /// The analysis of one second of tone.
    static func analysis() throws -> AnalysisResult {
        var audio = SyntheticAudio()
        var decoder = ArrayDecoder(samples: audio.channel([.tone(seconds: 1)]), sampleRate: 8000, channelCount: 1)
        return try AudioAnalyzer().analyze(&decoder)
    }
}
