@testable import AudioAnalysis
import CPUBoundTesting
import CallsCore
import Foundation
import TestSupport
import Testing

/// A scripted two-party call in synthetic speech, sent through the telephone chain (band-limited to
/// 300–3400 Hz, 8 kHz A-law, µ-law or MP3): the analysis must find every pause, turn and interruption
/// the script put there, with edges within 60 ms.
@Suite(.cpuBound) struct DialogueAccuracyTests {
    static let script: [SpokenDialogue.Line] = [
        .init(0, after: 0.6, "hello and thank you for calling the support line how may I help you today"),
        .init(1, after: 0.9, "hi I am calling about my internet connection which has been down all morning"),
        // The agent cuts in 0.8 s before the customer finishes: an interruption.
        .init(0, after: -0.8, "I am sorry to hear that let me look into it right away"),
        // Six seconds of dead air while the agent looks it up.
        .init(1, after: 6.0, "hello are you still there"),
        .init(0, after: 0.7, "yes I am here and I can see a problem in your area"),
        .init(1, after: 0.8, "okay thank you very much"),
    ]

    static let workDirectory: TemporaryDirectory = try! TemporaryDirectory()

    /// Synthesised once for every test of the suite.
    static let dialogue = Task {
        try await SpokenDialogue.make(script, channelCount: 2, workDirectory: workDirectory.path) { path in
            var decoder = try SndfileDecoder(path: path)
            var samples: [Float] = []
            var block = [Float](repeating: 0, count: 4096)
            while true {
                let frames = try block.withUnsafeMutableBufferPointer { try decoder.readFrames(into: $0) }
                if frames == 0 { break }
                samples += block[0..<frames]
            }
            return samples
        }
    }

    /// Where nobody speaks, from the script.
    static func expectedSilences(_ dialogue: SpokenDialogue) -> [(Int64, Int64)] {
        var silences: [(Int64, Int64)] = []
        var cursor: Int64 = 0
        for line in dialogue.placed.sorted(by: { $0.startMs < $1.startMs }) {
            if line.startMs - cursor >= 500 { silences.append((cursor, line.startMs)) }
            cursor = max(cursor, line.endMs)
        }
        let end = Int64(dialogue.durationSeconds * 1000)
        if end - cursor >= 500 { silences.append((cursor, end)) }
        return silences
    }

    @Test(arguments: SpokenDialogue.TelephoneEncoding.allCases)
    func findsThePausesTurnsAndInterruptions(encoding: SpokenDialogue.TelephoneEncoding) async throws {
        let dialogue = try await Self.dialogue.value
        let path = try await dialogue.encode(encoding, workDirectory: Self.workDirectory.path)
        let result = try AudioAnalyzer().analyzeFile(atPath: path)
        #expect(result.channels == 2)
        #expect(abs(result.durationMs - Int64(dialogue.durationSeconds * 1000)) <= (encoding == .mp3 ? 60 : 1))

        let expected = Self.expectedSilences(dialogue)
        #expect(result.silenceMarks.count == expected.count, "\(encoding): \(result.silenceMarks) vs \(expected)")
        for (mark, truth) in zip(result.silenceMarks, expected) {
            #expect(abs(mark.startMs - truth.0) <= 60, "\(encoding): silence starts at \(mark.startMs), truth \(truth.0)")
            #expect(abs(mark.endMs - truth.1) <= 60, "\(encoding): silence ends at \(mark.endMs), truth \(truth.1)")
        }

        let metrics = try #require(result.analysis.metrics)
        #expect(metrics.turnCount == 6, "\(encoding): \(result.analysis.timeline)")
        #expect(metrics.parties?.map(\.interruptions) == [1, 0], "\(encoding)")
        #expect(metrics.deadAir.count == 1)
        #expect(abs(metrics.deadAir.longestMs - 6000) <= 120, "\(encoding): \(metrics.deadAir)")
        #expect(metrics.nonTalk.count == 1)
        let overtalk = try #require(metrics.overtalkMs)
        #expect(abs(overtalk - 800) <= 120, "\(encoding): overtalk \(overtalk)")
        #expect(metrics.parties?.map(\.speaker) == ["caller", "receiver"])
    }
}
