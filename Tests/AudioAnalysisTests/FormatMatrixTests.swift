@testable import AudioAnalysis
import CPUBoundTesting
import CallsCore
import Foundation
import TestSupport
import Testing

/// Every container and encoding telephony produces, at every common rate: the same tone–pause–tone must
/// give the same pause, and PCM-like formats the exact duration.
@Suite(.cpuBound) struct FormatMatrixTests {
    enum Encoding: String, CaseIterable, Sendable {
        case pcm8, pcm16, pcm24, pcm32, float, alaw, ulaw, flac, ogg, mp3cbr, mp3vbr

        var isExact: Bool { ![.ogg, .mp3cbr, .mp3vbr].contains(self) }
        var format: AudioFormat {
            switch self {
            case .flac: .flac
            case .ogg: .ogg
            case .mp3cbr, .mp3vbr: .mp3
            default: .wav
            }
        }

        /// sox or lame arguments turning `input` (16-bit PCM WAV) into `output`.
        func command(input: String, output: String) -> (String, [String]) {
            switch self {
            case .pcm8: ("sox", [input, "-e", "unsigned-integer", "-b", "8", output])
            case .pcm16: ("sox", [input, output])
            case .pcm24: ("sox", [input, "-b", "24", output])
            case .pcm32: ("sox", [input, "-e", "signed-integer", "-b", "32", output])
            case .float: ("sox", [input, "-e", "floating-point", "-b", "32", output])
            case .alaw: ("sox", [input, "-e", "a-law", "-b", "8", output])
            case .ulaw: ("sox", [input, "-e", "u-law", "-b", "8", output])
            case .flac, .ogg: ("sox", [input, output])
            case .mp3cbr: ("lame", ["--quiet", "-b", "64", input, output])
            case .mp3vbr: ("lame", ["--quiet", "-V", "4", input, output])
            }
        }

        var fileExtension: String {
            switch self {
            case .flac: "flac"
            case .ogg: "ogg"
            case .mp3cbr, .mp3vbr: "mp3"
            default: "wav"
            }
        }
    }

    static let rates = [8000, 16000, 44100, 48000]

    static var cases: [(Encoding, Int, Int)] {
        Encoding.allCases.flatMap { encoding in
            rates.flatMap { rate in [1, 2].map { (encoding, rate, $0) } }
        }
    }

    @Test(arguments: cases)
    func decodesTheSamePause(encoding: Encoding, sampleRate: Int, channels: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var audio = SyntheticAudio(sampleRate: sampleRate)
        let voice = audio.channel([.tone(seconds: 1.0), .noise(seconds: 1.5), .tone(seconds: 1.0)])
        let samples = channels == 1 ? voice : audio.interleave([voice, audio.channel([.noise(seconds: 3.5)])])
        let source = directory.path + "/source.wav"
        try WAVFile.pcm16(samples, channels: channels, sampleRate: sampleRate).write(to: URL(fileURLWithPath: source))
        let encoded = directory.path + "/encoded." + encoding.fileExtension
        let (tool, arguments) = encoding.command(input: source, output: encoded)
        try await ChildProcess.run(tool, arguments)

        let probe = try AudioProbe.probe(path: encoded)
        #expect(probe.format == encoding.format)
        #expect(probe.channelCount == channels)
        let result = try AudioAnalyzer().analyzeFile(atPath: encoded)
        let label = "\(encoding) \(sampleRate) Hz \(channels) ch"
        if encoding.isExact {
            #expect(result.frameCount == Int64(3.5 * Double(sampleRate)), "\(label)")
            #expect(result.durationMs == 3500, "\(label)")
        } else {
            #expect(abs(result.durationMs - 3500) <= 60, "\(label): \(result.durationMs) ms")
        }
        // Lossy codecs spread a tone's last milliseconds over a whole transform block (576 samples for MP3:
        // 72 ms at 8 kHz), so the decoded audio itself is silent that much later.
        let tolerance = Int64(60) + (encoding.isExact ? 0 : Int64(576 * 1000 / sampleRate))
        #expect(result.silenceMarks.count == 1, "\(label): \(result.silenceMarks)")
        if let mark = result.silenceMarks.first {
            #expect(abs(mark.startMs - 1000) <= tolerance && abs(mark.endMs - 2500) <= tolerance, "\(label): \(mark)")
        }
    }

    @Test(arguments: [1, 100, 4096, 100_000])
    func blockSizeDoesNotChangeAFilesResult(blockFrames: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var audio = SyntheticAudio()
        let source = directory.path + "/source.wav"
        try WAVFile.pcm16(audio.channel([.tone(seconds: 0.8), .noise(seconds: 1.1), .tone(seconds: 0.6)]), channels: 1, sampleRate: 8000)
            .write(to: URL(fileURLWithPath: source))
        let mp3 = directory.path + "/source.mp3"
        try await ChildProcess.run("lame", ["--quiet", "-b", "32", source, mp3])
        for path in [source, mp3] {
            let reference = try AudioAnalyzer().analyzeFile(atPath: path)
            #expect(try AudioAnalyzer(blockFrames: blockFrames).analyzeFile(atPath: path) == reference, "\(path)")
        }
    }
}
