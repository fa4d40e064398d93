import AudioAnalysis
import CSndfile
import CallsCore
import Crypto
import Foundation

/// One measurement per process, so peak RSS belongs to that measurement alone:
///   calls-bench decode FILE    bare libsndfile decode of every frame (the floor)
///   calls-bench analyze FILE   the worker's full analysis of the same file
///   calls-bench mp3 FILE OUT   the worker's MP3 archive conversion (default settings) into OUT
///   calls-bench sha256 FILE    SHA-256 (swift-crypto, as the upload computes it) of FILE, read into memory
///                              first and timed alone, in 256 KiB blocks like the upload's writes; `frames`
///                              is the byte count
/// Prints `{"mode":…,"seconds":…,"peak_rss_kb":…,"frames":…}`.
let arguments = CommandLine.arguments
guard
    (arguments.count == 3 && ["decode", "analyze", "sha256"].contains(arguments[1]))
        || (arguments.count == 4 && arguments[1] == "mp3")
else {
    FileHandle.standardError.write(Data("usage: calls-bench decode|analyze|sha256 FILE | calls-bench mp3 FILE OUT\n".utf8))
    exit(2)
}
let mode = arguments[1]
let path = arguments[2]
let clock = ContinuousClock()
// The file is read before the clock starts: the figure is the hashing alone.
let bytesToHash = mode == "sha256" ? FileManager.default.contents(atPath: path) : nil
let started = clock.now
var frames: Int64 = 0

if mode == "decode" {
    var info = SF_INFO()
    guard let file = sf_open(path, Int32(SFM_READ), &info) else {
        FileHandle.standardError.write(Data("cannot open \(path)\n".utf8))
        exit(1)
    }
    var block = [Float](repeating: 0, count: AudioAnalyzer.defaultBlockFrames * Int(info.channels))
    while true {
        let read = block.withUnsafeMutableBufferPointer {
            sf_readf_float(file, $0.baseAddress, sf_count_t(AudioAnalyzer.defaultBlockFrames))
        }
        if read <= 0 { break }
        frames += Int64(read)
    }
    sf_close(file)
} else if mode == "sha256" {
    guard let bytesToHash else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(1)
    }
    var hasher = SHA256()
    bytesToHash.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 256 * 1024, bytes.count)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        }
    }
    _ = hasher.finalize()
    frames = Int64(bytesToHash.count)
} else if mode == "mp3" {
    unlink(arguments[3])
    do {
        frames = try MP3FileEncoder.encode(inputPath: path, outputPath: arguments[3], encoding: MP3Encoding()).frameCount
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
} else {
    do {
        frames = try AudioAnalyzer().analyzeFile(atPath: path).frameCount
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}

let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print(#"{"mode":"\#(mode)","seconds":\#(seconds),"peak_rss_kb":\#(usage.ru_maxrss),"frames":\#(frames)}"#)
