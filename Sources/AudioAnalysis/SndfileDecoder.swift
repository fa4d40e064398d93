import CSndfile
import CallsCore

/// Decodes any file libsndfile opens (WAV in all its PCM/float/A-law/µ-law variants, MP3, FLAC, Ogg, AIFF),
/// deciding the format from the content, never from the file name.
///
/// An `SNDFILE *` is not thread-safe, so this type is non-copyable: exactly one owner reads from it.
public struct SndfileDecoder: AudioDecoder, ~Copyable {
    public let sampleRate: Int
    public let channelCount: Int
    public let format: AudioFormat
    private let handle: OpaquePointer

    /// Telephony is mono or stereo; a header claiming thousands of channels is damaged or hostile, and would
    /// make every decode block huge.
    static let channelRange = 1...16
    static let sampleRateRange = 1000...384_000

    public init(path: String) throws(AudioDecodingError) {
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioDecodingError("not a readable audio file: \(String(cString: sf_strerror(nil)))")
        }
        guard Self.channelRange.contains(Int(info.channels)), Self.sampleRateRange.contains(Int(info.samplerate)) else {
            sf_close(handle)
            throw AudioDecodingError(
                "the file declares \(info.channels) channels at \(info.samplerate) Hz; supported are "
                    + "\(Self.channelRange.upperBound) channels and \(Self.sampleRateRange.upperBound) Hz at most")
        }
        self.handle = handle
        self.sampleRate = Int(info.samplerate)
        self.channelCount = Int(info.channels)
        self.format = Self.audioFormat(majorType: info.format & Int32(SF_FORMAT_TYPEMASK))
    }

    deinit {
        sf_close(handle)
    }

    public mutating func readFrames(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioDecodingError) -> Int {
        let capacity = buffer.count / channelCount
        guard capacity > 0, let base = buffer.baseAddress else { return 0 }
        let read = sf_readf_float(handle, base, sf_count_t(capacity))
        if read < 0 || (read == 0 && sf_error(handle) != 0) {
            throw AudioDecodingError("decoding failed: \(String(cString: sf_strerror(handle)))")
        }
        return Int(read)
    }

    static func audioFormat(majorType: Int32) -> AudioFormat {
        switch majorType {
        case Int32(SF_FORMAT_WAV), Int32(SF_FORMAT_WAVEX), Int32(SF_FORMAT_RF64), Int32(SF_FORMAT_W64): .wav
        case Int32(SF_FORMAT_MPEG): .mp3
        case Int32(SF_FORMAT_FLAC): .flac
        case Int32(SF_FORMAT_OGG): .ogg
        case Int32(SF_FORMAT_AIFF): .aiff
        default: .other
        }
    }
}
