@testable import AudioAnalysis
import CallsCore
import TestSupport
import Testing

@Suite struct CallMetricsTests {
    func segment(_ channel: Int, _ start: Milliseconds, _ end: Milliseconds) -> SpeechSegment {
        SpeechSegment(speaker: channel == 0 ? "caller" : "receiver", channel: channel, startMs: start, endMs: end)
    }

    func turns(_ segments: [SpeechSegment]) -> [String] {
        CallMetricsCalculator.turns(from: segments).map { "\($0.channel): \($0.span.startMs)-\($0.span.endMs)" }
    }

    /// A turn is one party's speech with its own gaps shorter than 1 s merged; a backchannel is a turn.
    @Test func aTurnMergesAPartysOwnGapsShorterThanOneSecond() {
        #expect(
            turns([
                segment(0, 0, 1000), segment(0, 1999, 3000),  // 999 ms apart: one turn
                segment(1, 1500, 1800),  // inside the caller's turn: a turn of its own
                segment(0, 4000, 5000),  // exactly 1 s after: a new turn
                segment(1, 5200, 6000), segment(1, 6900, 7000),
            ]) == ["0: 0-3000", "1: 1500-1800", "0: 4000-5000", "1: 5200-7000"])
    }

    /// An interruption needs 300 ms of overlap, and the interrupted turn must have begun 1 s earlier.
    @Test(
        arguments: [
            (4700, true),  // starts 4.7 s into the caller's turn, 300 ms of overlap
            (4701, false),  // 299 ms of overlap
            (500, false),  // overlaps long, but the caller's turn began only 0.5 s earlier
            (1000, true),  // began exactly 1 s earlier
            (5000, false),  // starts as the caller stops: no overlap
        ] as [(Milliseconds, Bool)])
    func anInterruptionNeedsOverlapAndAnEstablishedTurn(receiverStart: Milliseconds, counted: Bool) {
        let turns = CallMetricsCalculator.turns(from: [segment(0, 0, 5000), segment(1, receiverStart, receiverStart + 4000)])
        #expect(CallMetricsCalculator.interruptions(in: turns) == [0, counted ? 1 : 0])
    }

    @Test func theInterruptionIsCountedForThePartyWhoStarted() {
        let turns = CallMetricsCalculator.turns(from: [segment(1, 0, 6000), segment(0, 2000, 2600), segment(0, 8000, 9000)])
        #expect(CallMetricsCalculator.interruptions(in: turns) == [1, 0])
    }

    /// The pause since the other party's latest speech: a backchannel does not hide the gap after the turn
    /// it sat in.
    @Test func responseGapsCountFromTheOtherPartysLatestSpeech() {
        let turns = CallMetricsCalculator.turns(from: [
            segment(0, 0, 5000), segment(1, 2000, 2400), segment(1, 5600, 9000), segment(0, 8500, 10_000),
            segment(0, 11_500, 12_000),
        ])
        #expect(CallMetricsCalculator.responseGaps(of: turns) == [0, 600, 0])
    }

    /// Non-talk is silence longer than 3 s, dead air longer than 5 s, overtalk the time both speak, on a
    /// timeline built by hand.
    @Test func nonTalkDeadAirAndOvertalkFollowTheirThresholds() {
        let caller = [TimeSpan(startMs: 0, endMs: 2000), TimeSpan(startMs: 5000, endMs: 6000), TimeSpan(startMs: 17_001, endMs: 18_000)]
        let receiver = [TimeSpan(startMs: 1500, endMs: 2000), TimeSpan(startMs: 9001, endMs: 12_000)]
        // Silences: 2–5 s (3 s: not non-talk), 6–9.001 s (non-talk), 12–17.001 s (5.001 s: dead air).
        let anyone = [
            TimeSpan(startMs: 0, endMs: 2000), TimeSpan(startMs: 5000, endMs: 6000), TimeSpan(startMs: 9001, endMs: 12_000),
            TimeSpan(startMs: 17_001, endMs: 18_000),
        ]
        let segments = caller.map { segment(0, $0.startMs, $0.endMs) } + receiver.map { segment(1, $0.startMs, $0.endMs) }
        let timeline = SpeechTimelineBuilder.Timeline(
            turns: segments.sorted { $0.startMs < $1.startMs }, channelSilences: [], silences: [],
            channelSpeech: [caller, receiver], anyoneSpeaks: anyone)
        let metrics = CallMetricsCalculator(durationMs: 18_000).metrics(timeline: timeline, speakers: ["caller", "receiver"])
        #expect(metrics.nonTalk.count == 2 && metrics.nonTalk.totalMs == 3001 + 5001 && metrics.nonTalk.longestMs == 5001)
        #expect(metrics.deadAir.count == 1 && metrics.deadAir.totalMs == 5001)
        #expect(metrics.overtalkMs == 500)
        #expect(metrics.turnCount == 5)
        #expect(metrics.parties?.map(\.turns) == [3, 2])
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
