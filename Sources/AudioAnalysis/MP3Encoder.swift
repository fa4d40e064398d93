import CLame
import CallsCore

/// One LAME encoder: float samples in, MP3 frames out. Mono stays mono and stereo stays stereo, with the two
/// channels coded independently: each holds one party of the call, and joint (mid/side) coding would let one
/// party's coding noise leak into the other's channel.
///
/// A `lame_t` is not thread-safe, so this type is non-copyable: exactly one owner encodes with it.
public struct MP3Encoder: ~Copyable {
    public let channelCount: Int
    private let handle: OpaquePointer
    private var output: [UInt8] = []

    public init(sampleRate: Int, channelCount: Int, encoding: MP3Encoding) throws(AudioEncodingError) {
        guard (1...2).contains(channelCount) else {
            throw AudioEncodingError(
                "MP3 holds one or two channels; this recording has \(channelCount), so only its original is kept")
        }
        guard let handle = lame_init() else { throw AudioEncodingError("LAME could not allocate an encoder") }
        lame_set_in_samplerate(handle, Int32(sampleRate))
        lame_set_num_channels(handle, Int32(channelCount))
        lame_set_mode(handle, channelCount == 1 ? MONO : STEREO)
        switch encoding.mode {
        case .constant:
            lame_set_VBR(handle, vbr_off)
            lame_set_brate(handle, Int32(encoding.bitrateKbps))
            lame_set_out_samplerate(
                handle, Int32(Self.constantBitrateSampleRate(input: sampleRate, kbps: encoding.bitrateKbps)))
        case .variable:
            lame_set_VBR(handle, vbr_default)
            lame_set_VBR_quality(handle, Float(encoding.vbrQuality))
            lame_set_VBR_max_bitrate_kbps(handle, Int32(encoding.bitrateKbps))
        }
        // The Xing/LAME tag carries the encoder delay and padding, which decoders use to give back exactly the
        // frames that went in; without it an archive is longer than its original by up to ~140 ms.
        lame_set_bWriteVbrTag(handle, 1)
        guard lame_init_params(handle) >= 0 else {
            lame_close(handle)
            throw AudioEncodingError(
                "LAME rejected \(encoding.mode.rawValue) at \(encoding.bitrateKbps) kbit/s for \(sampleRate) Hz audio")
        }
        self.handle = handle
        self.channelCount = channelCount
    }

    deinit {
        lame_close(handle)
    }

    static let sampleRates = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]

    /// The highest MP3 sample rate, not above the input's, whose frames at `kbps` are large enough for the
    /// LAME tag. LAME's own choice can make frames too small for it (e.g. 48 kbit/s stereo at 22.05 kHz),
    /// and then it silently writes no tag: the archive comes out longer than the call. A lower rate costs
    /// nothing for telephone speech, whose bandwidth ends at 3.4 kHz (7 kHz for wideband).
    static func constantBitrateSampleRate(input: Int, kbps: Int) -> Int {
        // Bytes per frame: 144 × bitrate / rate for MPEG-1 (32 kHz and up), half that below. The tag needs the
        // frame header, up to 32 bytes of side information and 156 bytes of Xing and LAME fields.
        let fitting = sampleRates.filter { rate in
            let frameBytes = (rate >= 32000 ? 144 : 72) * kbps * 1000 / rate
            return frameBytes >= 4 + 32 + 156
        }
        return fitting.last(where: { $0 <= input }) ?? fitting.first ?? 8000
    }

    /// The bitrate LAME settled on in constant-bitrate mode: the nearest its output sample rate allows.
    public var constantBitrateKbps: Int { Int(lame_get_brate(handle)) }

    /// Encodes `frameCount` interleaved frames; `body` gets the MP3 bytes they completed (possibly none).
    public mutating func encode<T>(
        _ samples: UnsafeBufferPointer<Float>, frameCount: Int, _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws -> T {
        // LAME's documented worst case for one call.
        let capacity = frameCount + frameCount / 4 + 7200
        if output.count < capacity { output = [UInt8](repeating: 0, count: capacity) }
        let handle = self.handle
        let channels = channelCount
        let written = output.withUnsafeMutableBufferPointer { bytes -> Int32 in
            guard let pcm = samples.baseAddress else { return 0 }
            return channels == 1
                ? lame_encode_buffer_ieee_float(handle, pcm, pcm, Int32(frameCount), bytes.baseAddress, Int32(bytes.count))
                : lame_encode_buffer_interleaved_ieee_float(handle, pcm, Int32(frameCount), bytes.baseAddress, Int32(bytes.count))
        }
        guard written >= 0 else { throw AudioEncodingError("LAME failed to encode (error \(written))") }
        return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(written)])) }
    }

    /// Encodes what LAME still buffers; `body` gets the last MP3 bytes.
    public mutating func flush<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        if output.count < 7200 { output = [UInt8](repeating: 0, count: 7200) }
        let handle = self.handle
        let written = output.withUnsafeMutableBufferPointer { lame_encode_flush(handle, $0.baseAddress, Int32($0.count)) }
        guard written >= 0 else { throw AudioEncodingError("LAME failed to finish the stream (error \(written))") }
        return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(written)])) }
    }

    /// The final Xing/LAME tag frame, to be written over the placeholder frame at the start of the stream
    /// once everything is flushed.
    public func tagFrame() -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: 4096)
        let size = frame.withUnsafeMutableBufferPointer { lame_get_lametag_frame(handle, $0.baseAddress, $0.count) }
        return Array(frame.prefix(min(size, frame.count)))
    }
}

/// Why a recording could not be encoded.
public struct AudioEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
