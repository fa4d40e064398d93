#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CallsCore

/// What an MP3 archive holds.
public struct MP3EncodingSummary: Sendable, Equatable {
    /// Frames read from the original.
    public var frameCount: Int64
    public var sampleRate: Int
    public var channelCount: Int
    /// The size of the MP3 file.
    public var byteCount: Int64
    /// Constant bitrate: the rate of every frame. Variable: the average over the whole file.
    public var bitrateKbps: Int
}

/// The output file could not be written: a problem of the machine (disk full), not of the recording.
public struct MP3OutputError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Converts an audio file to an MP3 file in one streaming pass: libsndfile decodes a block, LAME encodes it,
/// the bytes go to disk in large writes. Memory stays the same whatever the recording's length.
public enum MP3FileEncoder {
    static let blockFrames = 8192
    static let writeSize = 256 * 1024

    /// Creates `outputPath` (it must not exist) and fills it. Throws `AudioDecodingError` or
    /// `AudioEncodingError` for a recording that cannot be converted, `MP3OutputError` when writing fails.
    public static func encode(inputPath: String, outputPath: String, encoding: MP3Encoding) throws -> MP3EncodingSummary {
        var decoder = try SndfileDecoder(path: inputPath)
        var encoder = try MP3Encoder(sampleRate: decoder.sampleRate, channelCount: decoder.channelCount, encoding: encoding)
        var output = try OutputFile(path: outputPath)
        let channels = decoder.channelCount
        let samples = UnsafeMutableBufferPointer<Float>.allocate(capacity: blockFrames * channels)
        defer { samples.deallocate() }
        var frameCount: Int64 = 0
        while true {
            let frames = try decoder.readFrames(into: samples)
            if frames == 0 { break }
            frameCount += Int64(frames)
            try encoder.encode(UnsafeBufferPointer(samples), frameCount: frames) { try output.append($0) }
        }
        guard frameCount > 0 else { throw AudioDecodingError("the recording contains no audio frames") }
        try encoder.flush { try output.append($0) }
        try output.finish(overwritingStartWith: encoder.tagFrame())
        let seconds = Double(frameCount) / Double(decoder.sampleRate)
        let averageKbps = Int((Double(output.byteCount) * 8 / 1000 / seconds).rounded())
        return MP3EncodingSummary(
            frameCount: frameCount, sampleRate: decoder.sampleRate, channelCount: channels, byteCount: output.byteCount,
            bitrateKbps: encoding.mode == .constant ? encoder.constantBitrateKbps : averageKbps)
    }
}

/// Buffered writes to a new file, then the tag written over the file's first bytes and an fsync.
private struct OutputFile: ~Copyable {
    let path: String
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private(set) var byteCount: Int64 = 0

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw Self.failure("create", path) }
        pending.reserveCapacity(MP3FileEncoder.writeSize)
    }

    deinit {
        close(descriptor)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        pending.append(contentsOf: bytes)
        byteCount += Int64(bytes.count)
        if pending.count >= MP3FileEncoder.writeSize { try drain() }
    }

    mutating func finish(overwritingStartWith tag: [UInt8]) throws {
        try drain()
        if !tag.isEmpty, Int64(tag.count) <= byteCount {
            try tag.withUnsafeBytes { bytes in try write(bytes, at: 0) }
        }
        guard fsync(descriptor) == 0 else { throw Self.failure("sync", path) }
    }

    private mutating func drain() throws {
        guard !pending.isEmpty else { return }
        let offset = byteCount - Int64(pending.count)
        try pending.withUnsafeBytes { bytes in try write(bytes, at: offset) }
        pending.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.failure("write", path)
            }
            done += written
        }
    }

    private static func failure(_ action: String, _ path: String) -> MP3OutputError {
        MP3OutputError(description: "cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
