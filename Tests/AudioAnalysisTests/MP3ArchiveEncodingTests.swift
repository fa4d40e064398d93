@testable import AudioAnalysis
import CPUBoundTesting
import CallsCore
import Foundation
import TestSupport
import Testing

/// The MP3 archive must be the same call: same length (within 30 ms), same channels, each party still on its
/// own channel, at the bitrate asked for.
@Suite(.cpuBound) struct MP3ArchiveEncodingTests {
    /// Caller speaks for 1 s, then 0.5 s of quiet, then the receiver speaks for 1 s; 0.7 s of quiet after.
    static func dialogue(sampleRate: Int, channels: Int) -> [Float] {
        var audio = SyntheticAudio(sampleRate: sampleRate)
        let caller = audio.channel([.tone(seconds: 1.0, frequency: 440), .noise(seconds: 2.2)])
        guard channels == 2 else { return caller }
        let receiver = audio.channel([.noise(seconds: 1.5), .tone(seconds: 1.0, frequency: 660), .noise(seconds: 0.7)])
        return audio.interleave([caller, receiver])
    }

    static func encodeDialogue(
        sampleRate: Int, channels: Int, encoding: MP3Encoding, in directory: TemporaryDirectory
    ) throws -> (original: String, archive: String, summary: MP3EncodingSummary) {
        let original = directory.path + "/original.wav"
        let archive = directory.path + "/archive.mp3"
        try WAVFile.pcm16(dialogue(sampleRate: sampleRate, channels: channels), channels: channels, sampleRate: sampleRate)
            .write(to: URL(fileURLWithPath: original))
        let summary = try MP3FileEncoder.encode(inputPath: original, outputPath: archive, encoding: encoding)
        return (original, archive, summary)
    }

    static let encodings = [
        MP3Encoding(mode: .constant, bitrateKbps: 48),
        MP3Encoding(mode: .constant, bitrateKbps: 24),
        MP3Encoding(mode: .constant, bitrateKbps: 128),
        MP3Encoding(mode: .variable, bitrateKbps: 64, vbrQuality: 6),
    ]

    @Test(arguments: [8000, 16000, 44100, 48000], [1, 2])
    func archiveDecodesBackToTheSameLengthAndChannels(sampleRate: Int, channels: Int) throws {
        for encoding in Self.encodings {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let (_, archive, summary) = try Self.encodeDialogue(
                sampleRate: sampleRate, channels: channels, encoding: encoding, in: directory)
            #expect(summary.frameCount == Int64(3.2 * Double(sampleRate)))
            #expect(summary.channelCount == channels)
            #expect(summary.byteCount == Int64(try FileManager.default.attributesOfItem(atPath: archive)[.size] as! Int))

            var decoded = try SndfileDecoder(path: archive)
            #expect(decoded.format == .mp3)
            #expect(decoded.channelCount == channels)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4096 * channels)
            defer { buffer.deallocate() }
            var frames = 0
            while case let read = try decoded.readFrames(into: buffer), read > 0 { frames += read }
            let seconds = Double(frames) / Double(decoded.sampleRate)
            #expect(abs(seconds - 3.2) <= 0.030, "\(encoding.mode) at \(sampleRate) Hz decodes to \(seconds) s")
        }
    }

    /// The default, and variable bitrate.
    @Test(arguments: [MP3Encoding(), MP3Encoding(mode: .variable, bitrateKbps: 64, vbrQuality: 6)])
    func eachPartyStaysOnItsOwnChannel(encoding: MP3Encoding) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (original, archive, _) = try Self.encodeDialogue(sampleRate: 8000, channels: 2, encoding: encoding, in: directory)
        let analyzer = AudioAnalyzer()
        let before = try analyzer.analyzeFile(atPath: original).analysis.timeline
        let after = try analyzer.analyzeFile(atPath: archive).analysis.timeline
        #expect(after.map(\.speaker) == before.map(\.speaker))
        #expect(after.count == 2)
        // MP3 smears sound over a granule (576 samples: 72 ms at 8 kHz), plus one 20 ms analysis frame.
        for (turn, expected) in zip(after, before) {
            #expect(abs(turn.startMs - expected.startMs) <= 92)
            #expect(abs(turn.endMs - expected.endMs) <= 92)
        }
    }

    @Test(arguments: [8000, 44100], [24, 32, 48, 64, 128])
    func constantBitrateGivesTheSizeItPromises(sampleRate: Int, kbps: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (_, _, summary) = try Self.encodeDialogue(
            sampleRate: sampleRate, channels: 2, encoding: MP3Encoding(mode: .constant, bitrateKbps: kbps), in: directory)
        // 8 kHz MP3 (MPEG 2.5) stops at 64 kbit/s: LAME takes the nearest rate it has, and says which.
        #expect(summary.bitrateKbps == (sampleRate == 8000 ? min(kbps, 64) : kbps))
        let promised = Double(summary.bitrateKbps) * 1000 / 8 * 3.2
        #expect(abs(Double(summary.byteCount) - promised) / promised < 0.1, "\(summary.byteCount) bytes vs \(promised)")
    }

    @Test func moreThanTwoChannelsIsRefusedWithAReason() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/three.wav"
        try WAVFile.pcm16([Float](repeating: 0.1, count: 3 * 8000), channels: 3, sampleRate: 8000)
            .write(to: URL(fileURLWithPath: path))
        #expect {
            try MP3FileEncoder.encode(inputPath: path, outputPath: directory.path + "/out.mp3", encoding: MP3Encoding())
        } throws: { error in
            (error as? AudioEncodingError)?.message.contains("has 3") == true
        }
    }

    @Test func anInputThatIsNotAudioIsADecodingError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/text.wav"
        try Data("not audio at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AudioDecodingError.self) {
            try MP3FileEncoder.encode(inputPath: path, outputPath: directory.path + "/out.mp3", encoding: MP3Encoding())
        }
    }

    @Test func anUnwritableOutputIsAnOutputError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (original, archive, _) = try Self.encodeDialogue(
            sampleRate: 8000, channels: 1, encoding: MP3Encoding(), in: directory)
        // The archive exists already: the encoder never writes over a file.
        #expect(throws: MP3OutputError.self) {
            try MP3FileEncoder.encode(inputPath: original, outputPath: archive, encoding: MP3Encoding())
        }
        #expect(throws: MP3OutputError.self) {
            try MP3FileEncoder.encode(inputPath: original, outputPath: directory.path + "/no/such/dir.mp3", encoding: MP3Encoding())
        }
    }
}
