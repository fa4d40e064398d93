/// A source of interleaved float samples in [-1, 1], read block by block so memory stays independent of the
/// recording's length. The analysis depends only on this, so it can be tested with generated samples.
public protocol AudioDecoder: ~Copyable {
    var sampleRate: Int { get }
    var channelCount: Int { get }
    /// Fills `buffer` with up to `buffer.count / channelCount` frames; returns how many frames it read,
    /// 0 at the end of the stream.
    mutating func readFrames(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioDecodingError) -> Int
}

/// Why a recording could not be decoded, in words an operator can act on.
public struct AudioDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
