import AudioAnalysis
import CallsCore
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

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's entry point under `<module>_main`; hand control to libFuzzer from there.
@_cdecl("calls_fuzz_decoder_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzDecoder)
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
