import Foundation

/// Encodes samples as a 16-bit PCM WAV file in memory.
public enum WAVFile {
    public static func pcm16(_ interleaved: [Float], channels: Int, sampleRate: Int) -> Data {
        var data = header(dataBytes: interleaved.count * 2, channels: channels, sampleRate: sampleRate)
        data.append(samples(interleaved))
        return data
    }

    /// Writes `interleaved` `times` times over as one long file, without holding it in memory: recordings of
    /// an hour for tests that need a job to take a while.
    public static func writeRepeated(_ interleaved: [Float], times: Int, channels: Int, sampleRate: Int, to path: String) throws {
        let block = samples(interleaved)
        guard
            FileManager.default.createFile(
                atPath: path, contents: header(dataBytes: block.count * times, channels: channels, sampleRate: sampleRate))
        else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        for _ in 0..<times { try handle.write(contentsOf: block) }
    }

    private static func header(dataBytes: Int, channels: Int, sampleRate: Int) -> Data {
        var data = Data()
        data.append(contentsOf: Array("RIFF".utf8))
        data.appendLittleEndian(UInt32(36 + dataBytes))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        data.appendLittleEndian(UInt32(16))
        data.appendLittleEndian(UInt16(1))
        data.appendLittleEndian(UInt16(channels))
        data.appendLittleEndian(UInt32(sampleRate))
        data.appendLittleEndian(UInt32(sampleRate * channels * 2))
        data.appendLittleEndian(UInt16(channels * 2))
        data.appendLittleEndian(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        data.appendLittleEndian(UInt32(dataBytes))
        return data
    }

    private static func samples(_ interleaved: [Float]) -> Data {
        var data = Data(capacity: interleaved.count * 2)
        for sample in interleaved {
            let clipped = max(-1, min(1, sample))
            data.appendLittleEndian(UInt16(bitPattern: Int16((clipped * 32767).rounded())))
        }
        return data
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
