import CallsCore

/// What an upload is, decided by opening it as audio: the gate that keeps text files named `x.wav` out.
public struct AudioProbe: Sendable, Equatable {
    public var format: AudioFormat
    public var sampleRate: Int
    public var channelCount: Int

    /// Checks the file's first bytes against the accepted containers, then opens it and decodes its first
    /// block, so a valid header in front of undecodable data is caught at upload time rather than in the
    /// worker.
    public static func probe(path: String) throws(AudioDecodingError) -> AudioProbe {
        try AudioSignature.check(path: path)
        var decoder = try SndfileDecoder(path: path)
        var block = [Float](repeating: 0, count: 1024 * decoder.channelCount)
        let frames = try block.withUnsafeMutableBufferPointer { buffer throws(AudioDecodingError) in
            try decoder.readFrames(into: buffer)
        }
        guard frames > 0 else { throw AudioDecodingError("the file contains no audio frames") }
        return AudioProbe(format: decoder.format, sampleRate: decoder.sampleRate, channelCount: decoder.channelCount)
    }
}
