import AudioAnalysis
import Foundation

/// Feeds arbitrary bytes to the decoder entry the worker uses (probe, then the full analysis). Built with
/// `-sanitize=fuzzer` by `scripts/fuzz.sh`, libFuzzer drives `LLVMFuzzerTestOneInput`; in a normal build the
/// same executable replays the files named on its command line, so a crash found by the fuzzer can be
/// reproduced and kept as a regression input.
enum DecoderFuzzTarget {
    static let scratchPath = NSTemporaryDirectory() + "calls-fuzz-\(getpid()).bin"

    static func run(_ data: Data) {
        guard FileManager.default.createFile(atPath: scratchPath, contents: data) else { return }
        var settings = AnalysisSettings()
        settings.decodeBudgetSeconds = 5
        if (try? AudioProbe.probe(path: scratchPath)) != nil {
            _ = try? AudioAnalyzer(settings: settings).analyzeFile(atPath: scratchPath)
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    DecoderFuzzTarget.run(Data(bytes: bytes, count: count))
    return 0
}
#else
@main
struct DecoderReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            DecoderFuzzTarget.run(try Data(contentsOf: URL(fileURLWithPath: path)))
            print("ok \(path)")
        }
    }
}
#endif

import CallsCore
