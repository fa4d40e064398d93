@testable import AudioAnalysis
import CallsCore
import Foundation
import TestSupport
import Testing

@Suite struct SndfileDecoderTests {
    func write(_ data: Data, named name: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func decodesAWAVFileToTheSameResultAsTheSamples() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var audio = SyntheticAudio(sampleRate: 16_000)
        let samples = audio.channel([.tone(seconds: 1.25), .noise(seconds: 1.5), .tone(seconds: 0.75)])
        let path = try write(WAVFile.pcm16(samples, channels: 1, sampleRate: 16_000), named: "a.wav", in: directory)

        let probe = try AudioProbe.probe(path: path)
        #expect(probe == AudioProbe(format: .wav, sampleRate: 16_000, channelCount: 1))
        let result = try AudioAnalyzer().analyzeFile(atPath: path)
        #expect(result.frameCount == Int64(samples.count))
        #expect(result.durationMs == 3500)
        #expect(result.silenceMarks.count == 1)
        let mark = try #require(result.silenceMarks.first)
        #expect(abs(mark.startMs - 1250) <= 60 && abs(mark.endMs - 2750) <= 60)
    }

    @Test func theFormatComesFromTheContentNotTheName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var audio = SyntheticAudio()
        let path = try write(WAVFile.pcm16(audio.channel([.tone(seconds: 0.5)]), channels: 1, sampleRate: 8000),
                             named: "recording.mp3", in: directory)
        #expect(try AudioProbe.probe(path: path).format == .wav)
    }

    @Test(arguments: [
        ("text named wav", Data("this is not audio, just text pretending to be a recording".utf8)),
        ("empty", Data()),
        ("random bytes", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })),
        ("header only", WAVFile.pcm16([], channels: 1, sampleRate: 8000)),
    ])
    func refusesWhatIsNotAudio(name: String, content: Data) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try write(content, named: "x.wav", in: directory)
        #expect(throws: AudioDecodingError.self, "\(name)") { try AudioProbe.probe(path: path) }
        #expect(throws: AudioDecodingError.self, "\(name)") { try AudioAnalyzer().analyzeFile(atPath: path) }
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: AudioDecodingError.self) { try AudioProbe.probe(path: "/nonexistent/file.wav") }
    }
}
