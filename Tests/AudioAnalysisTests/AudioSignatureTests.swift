@testable import AudioAnalysis
import CallsCore
import Foundation
import TestSupport
import Testing

/// Only the containers telephony uses reach libsndfile; everything else is refused by its first bytes.
@Suite struct AudioSignatureTests {
    /// A second of tone in `source.wav`, converted by sox (or lame) into `name`.
    static func encoded(
        _ name: String, in directory: TemporaryDirectory, _ tool: String = "sox", _ options: [String] = []
    )
        async throws -> String
    {
        var audio = SyntheticAudio(sampleRate: 8000)
        let source = directory.path + "/source.wav"
        try WAVFile.pcm16(audio.channel([.tone(seconds: 0.5), .noise(seconds: 0.5)]), channels: 1, sampleRate: 8000)
            .write(to: URL(fileURLWithPath: source))
        let output = directory.path + "/" + name
        try await ChildProcess.run(tool, tool == "lame" ? ["--quiet"] + options + [source, output] : [source] + options + [output])
        return output
    }

    @Test(
        arguments: [
            ("a.wav", [], AudioSignature.wav), ("alaw.wav", ["-e", "a-law"], .wav), ("a.aiff", [], .aiff),
            ("a.aifc", [], .aiff), ("a.au", [], .au), ("a.caf", [], .caf), ("a.w64", [], .w64), ("a.flac", [], .flac),
            ("a.ogg", [], .ogg), ("a.sph", [], .nist),
        ] as [(String, [String], AudioSignature)])
    func everyAcceptedContainerStillDecodes(name: String, options: [String], signature: AudioSignature) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await Self.encoded(name, in: directory, "sox", options)
        #expect(try AudioSignature.check(path: path) == signature)
        #expect(try AudioProbe.probe(path: path).sampleRate == 8000)
    }

    @Test(arguments: [[], ["--add-id3v2", "--tt", "call 7"], ["--id3v2-only", "--pad-id3v2-size", "3000", "--tt", "x"]])
    func mp3WithAndWithoutAnID3TagIsAccepted(options: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await Self.encoded("a.mp3", in: directory, "lame", ["-b", "32"] + options)
        #expect(try AudioSignature.check(path: path) == .mp3)
        #expect(try AudioProbe.probe(path: path).format == .mp3)
    }

    /// Formats libsndfile reads that no phone system produces: before the gate each was accepted as `other`.
    @Test(arguments: ["a.voc", "a.sf", "a.paf", "a.mat5", "a.avr"])
    func formatsLibsndfileReadsButWeDoNotAreRefusedBeforeItOpensThem(name: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await Self.encoded(name, in: directory)
        _ = try SndfileDecoder(path: path)  // libsndfile itself would take it
        let error = #expect(throws: AudioDecodingError.self, "\(name)") { try AudioProbe.probe(path: path) }
        #expect(error?.message.contains("does not start like any accepted audio format") == true)
    }

    @Test(
        arguments: [
            ("PDF", Array("%PDF-1.7\n%âãÏÓ\n1 0 obj".utf8)),
            ("zip", [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]),
            ("ELF", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("HTML", Array("<!DOCTYPE html><html>".utf8)),
            ("RIFF but AVI", Array("RIFF\u{10}\0\0\0AVI LIST".utf8)),
            ("FORM but 8SVX", Array("FORM\u{10}\0\0\08SVXVHDR".utf8)),
            ("frame sync with a reserved version", [0xFF, 0xEA, 0x90, 0x00] + Array(repeating: 0, count: 12)),
            ("frame sync with a bad bitrate", [0xFF, 0xFB, 0xF0, 0x00] + Array(repeating: 0, count: 12)),
            ("ID3 tag before text", [0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 2, 0, 0] + Array("just text after".utf8)),
            ("empty", []),
            ("three bytes", Array("Ogg".utf8)),
        ] as [(String, [UInt8])])
    func nonAudioPrefixesAreRefused(name: String, bytes: [UInt8]) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/x.wav"
        // A whole valid WAV behind the prefix: only the first bytes decide.
        var audio = SyntheticAudio()
        let wav = WAVFile.pcm16(audio.channel([.tone(seconds: 0.2)]), channels: 1, sampleRate: 8000)
        try (Data(bytes) + (bytes.isEmpty ? Data() : wav)).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: AudioDecodingError.self, "\(name)") { try AudioProbe.probe(path: path) }
        #expect(error?.message.contains("does not start like any accepted audio format") == true, "\(name)")
    }

    @Test func theSignaturesThatNeedNoToolAreRecognised() {
        func padded(_ text: String) -> [UInt8] { Array(text.utf8) + Array(repeating: 0, count: 16) }
        #expect(AudioSignature.recognise([0x52, 0x46, 0x36, 0x34, 0xFF, 0xFF, 0xFF, 0xFF] + padded("WAVEds64")) == .rf64)
        #expect(AudioSignature.recognise(padded("RIFX\0\0\0\u{24}WAVEfmt ")) == .wav)
        #expect(AudioSignature.recognise(padded("dns.\u{18}\0\0\0")) == .au)
        #expect(AudioSignature.recognise([0xFF, 0xFB, 0x90, 0x64]) == .mp3)
        #expect(AudioSignature.recognise([0xFF, 0xF3, 0x48, 0xC4]) == .mp3)  // MPEG-2 layer III, as LAME writes for low rates
        // The footer flag (0x10) is not counted: libsndfile skips 10 + size whatever it says, and the gate must
        // look where libsndfile will.
        #expect(AudioSignature.id3TagLength([0x49, 0x44, 0x33, 4, 0, 0x10, 0, 0, 0x01, 0x7F]) == 10 + 255)
    }
}
