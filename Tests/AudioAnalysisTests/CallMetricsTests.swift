@testable import AudioAnalysis
import CallsCore
import TestSupport
import Testing

@Suite struct CallMetricsTests {
    func segment(_ channel: Int, _ start: Milliseconds, _ end: Milliseconds) -> SpeechSegment {
        SpeechSegment(speaker: channel == 0 ? "caller" : "receiver", channel: channel, startMs: start, endMs: end)
    }

    @Test func aBackchannelInsideTheOtherPartysSpeechIsNotATurn() {
        let turns = CallMetricsCalculator.turns(from: [
            segment(0, 0, 5000), segment(1, 2000, 2400), segment(1, 5600, 9000), segment(0, 9500, 10_000),
        ])
        #expect(turns.map(\.channel) == [0, 1, 0])
        #expect(turns.map(\.span.durationMs) == [5000, 3400, 500])
    }

    @Test func interruptionsNeedEnoughOverlap() {
        let segments = [
            segment(0, 0, 5000), segment(1, 4700, 8000),  // 300 ms over: an interruption by the receiver
            segment(0, 7800, 9000),  // 200 ms over: not one
        ]
        #expect(CallMetricsCalculator.interruptions(in: segments) == [0, 1])
    }

    @Test func medianOfResponseGaps() {
        #expect(CallMetricsCalculator.median([]) == nil)
        #expect(CallMetricsCalculator.median([300, 100, 900]) == 300)
        #expect(CallMetricsCalculator.median([100, 200, 400, 1000]) == 300)
    }

    @Test func stereoToneDialogueMetrics() throws {
        var audio = SyntheticAudio()
        // caller 0–3 s, receiver 2.5–6 s (0.5 s overlap), dead air 6–12 s, caller 12–13 s.
        let caller = audio.channel([.tone(seconds: 3), .noise(seconds: 9), .tone(seconds: 1, frequency: 300)])
        let receiver = audio.channel([.noise(seconds: 2.5), .tone(seconds: 3.5, frequency: 600), .noise(seconds: 7)])
        var decoder = ArrayDecoder(samples: audio.interleave([caller, receiver]), sampleRate: 8000, channelCount: 2)
        let metrics = try #require(try AudioAnalyzer().analyze(&decoder).analysis.metrics)

        #expect(metrics.durationMs == 13_000)
        #expect(abs(metrics.talkMs - 7000) <= 60)
        #expect(metrics.deadAir.count == 1)
        #expect(abs(metrics.deadAir.longestMs - 6000) <= 60)
        #expect(metrics.nonTalk.count == 1)
        #expect(metrics.turnCount == 3)
        #expect(metrics.interruptions == 1)
        #expect(metrics.parties?.map(\.interruptions) == [0, 1])
        #expect(abs((metrics.overtalkMs ?? 0) - 500) <= 60)
        let parties = try #require(metrics.parties)
        #expect(abs(parties[0].talkMs - 4000) <= 60 && abs(parties[1].talkMs - 3500) <= 60)
        #expect(abs(parties[0].talkRatio + parties[1].talkRatio - 1) < 1e-9)
        #expect(abs((metrics.longestMonologueMs ?? 0) - 3500) <= 60)
        // Gaps between turns: overlap (0) then 6 s; the median of two is their mean.
        #expect(abs((metrics.medianResponseGapMs ?? 0) - 3000) <= 60)
        #expect(metrics.silenceHeatmap.silentFraction.count == 60)
        let silentShare = metrics.silenceHeatmap.silentFraction.reduce(0, +) / 60
        #expect(abs(silentShare - 6.0 / 13.0) < 0.01)
    }

    @Test func monoReportsNoPartyFigures() throws {
        var audio = SyntheticAudio()
        var decoder = ArrayDecoder(
            samples: audio.channel([.tone(seconds: 1), .noise(seconds: 4), .tone(seconds: 1)]), sampleRate: 8000, channelCount: 1)
        let metrics = try #require(try AudioAnalyzer().analyze(&decoder).analysis.metrics)
        #expect(metrics.parties == nil && metrics.turnCount == nil && metrics.overtalkMs == nil)
        #expect(metrics.nonTalk.count == 1 && metrics.deadAir.count == 0)
        #expect(abs(metrics.longestSilenceMs - 4000) <= 60)
    }
}
