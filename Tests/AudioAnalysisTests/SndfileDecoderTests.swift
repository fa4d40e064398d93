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
        let path = try write(
            WAVFile.pcm16(audio.channel([.tone(seconds: 0.5)]), channels: 1, sampleRate: 8000),
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

/// Damaged and hostile files end in a clear error or a clearly labelled partial result, never a crash or
/// a hang.
@Suite struct DamagedFileTests {
    static func wav(seconds: Double = 1) -> Data {
        var audio = SyntheticAudio()
        return WAVFile.pcm16(audio.channel([.tone(seconds: seconds)]), channels: 1, sampleRate: 8000)
    }

    static func patched(_ data: Data, at offset: Int, _ value: UInt32, bytes: Int) -> Data {
        var copy = data
        for index in 0..<bytes { copy[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        return copy
    }

    func analyze(_ data: Data) throws -> AnalysisResult {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/file.wav"
        try data.write(to: URL(fileURLWithPath: path))
        return try AudioAnalyzer().analyzeFile(atPath: path)
    }

    @Test func aTruncatedFileIsAnalysedAsFarAsItGoes() throws {
        let whole = Self.wav(seconds: 2)
        let result = try analyze(whole.prefix(44 + 8000))  // the header and half a second of samples
        #expect(result.frameCount == 4000)
        #expect(result.durationMs == 500)
    }

    @Test(arguments: [
        ("10 000 channels", 22, UInt32(10_000), 2),
        ("0 channels", 22, UInt32(0), 2),
        ("0 Hz", 24, UInt32(0), 4),
        ("4 GHz", 24, UInt32.max, 4),
    ])
    func anAbsurdHeaderIsRefused(name: String, offset: Int, value: UInt32, bytes: Int) {
        #expect(throws: AudioDecodingError.self, "\(name)") {
            try analyze(Self.patched(Self.wav(), at: offset, value, bytes: bytes))
        }
    }

    @Test func aDecodeOverItsBudgetIsAbandoned() {
        /// Delivers one frame per call, slowly: a stand-in for a file crafted to decode forever.
        struct EndlessDecoder: AudioDecoder {
            let sampleRate = 8000
            let channelCount = 1
            mutating func readFrames(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioDecodingError) -> Int {
                buffer[0] = 0
                usleep(200)
                return 1
            }
        }
        var settings = AnalysisSettings()
        settings.decodeBudgetSeconds = 1
        var decoder = EndlessDecoder()
        #expect(throws: AudioDecodingError.self) { try AudioAnalyzer(settings: settings).analyze(&decoder) }
    }
}
