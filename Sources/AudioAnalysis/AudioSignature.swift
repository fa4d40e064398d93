import Foundation

/// The containers an upload may be in, recognised by their first bytes before libsndfile sees the file.
/// libsndfile guesses among some thirty formats, each with its own parser; a recording from a phone system
/// is one of these few, so the rest of its parsers never see a client's bytes.
public enum AudioSignature: String, Sendable, CaseIterable {
    case wav, rf64, w64, aiff, flac, ogg, mp3, caf, au, nist

    /// What the refusal names.
    public static let acceptedNames = "WAV, RF64, Wave64, AIFF, FLAC, Ogg, MP3, CAF, AU or NIST SPHERE"

    /// The signature of a file's first bytes (16 are enough, and an ID3 tag's first 10), or nil. An ID3 tag
    /// is not a signature of its own: what follows it decides.
    public static func recognise(_ bytes: [UInt8]) -> AudioSignature? {
        func ascii(_ text: String, at offset: Int = 0) -> Bool {
            let expected = Array(text.utf8)
            return bytes.count >= offset + expected.count && Array(bytes[offset..<offset + expected.count]) == expected
        }
        if ascii("RIFF") || ascii("RIFX") { return ascii("WAVE", at: 8) ? .wav : nil }
        if ascii("RF64") { return ascii("WAVE", at: 8) ? .rf64 : nil }
        if bytes.starts(with: w64RIFF) { return .w64 }
        if ascii("FORM") { return ascii("AIFF", at: 8) || ascii("AIFC", at: 8) ? .aiff : nil }
        if ascii("fLaC") { return .flac }
        if ascii("OggS") { return .ogg }
        if ascii("caff") { return .caf }
        if ascii(".snd") || ascii("dns.") { return .au }
        if ascii("NIST_1A\n") { return .nist }
        if isMPEGAudioFrameHeader(bytes) { return .mp3 }
        return nil
    }

    /// Reads the start of the file at `path` (and past an ID3 tag) and refuses it unless it is one of ours.
    @discardableResult
    public static func check(path: String) throws(AudioDecodingError) -> AudioSignature {
        guard let file = FileHandle(forReadingAtPath: path) else { throw AudioDecodingError("the file cannot be read") }
        defer { try? file.close() }
        var head = [UInt8]((try? file.read(upToCount: 16)) ?? Data())
        if let tagLength = id3TagLength(head) {
            // libsndfile skips the tag and guesses again from what follows it, so the same gate applies there.
            try? file.seek(toOffset: UInt64(tagLength))
            head = [UInt8]((try? file.read(upToCount: 16)) ?? Data())
        }
        guard let signature = recognise(head) else {
            throw AudioDecodingError("the file does not start like any accepted audio format (\(acceptedNames))")
        }
        return signature
    }

    /// `riff` followed by the rest of Sony Wave64's RIFF GUID.
    static let w64RIFF: [UInt8] = [
        0x72, 0x69, 0x66, 0x66, 0x2E, 0x91, 0xCF, 0x11, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00,
    ]

    /// An MPEG audio frame header: 11 sync bits, then a valid version, layer, bitrate and sample rate.
    static func isMPEGAudioFrameHeader(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 else { return false }
        let version = (bytes[1] >> 3) & 0x3
        let layer = (bytes[1] >> 1) & 0x3
        let bitrate = bytes[2] >> 4
        let sampleRate = (bytes[2] >> 2) & 0x3
        return version != 0b01 && layer != 0 && bitrate != 0xF && sampleRate != 0x3
    }

    /// The whole length of an ID3v2 tag (header, syncsafe size, footer), when the bytes start with one.
    static func id3TagLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 10, bytes.starts(with: Array("ID3".utf8)), bytes[6..<10].allSatisfy({ $0 < 0x80 }) else {
            return nil
        }
        // The footer flag is ignored on purpose: libsndfile 1.2 skips 10 + size bytes whatever the flags say,
        // and the gate must look where libsndfile will.
        let size = bytes[6..<10].reduce(0) { $0 << 7 | Int($1) }
        return 10 + size
    }
}
