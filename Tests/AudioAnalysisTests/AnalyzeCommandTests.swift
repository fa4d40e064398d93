import AudioAnalysis
import CallsCore
import Foundation
import TestSupport
import Testing

/// `calls-analyze` prints what the worker would store, because it runs the same analysis.
@Suite struct AnalyzeCommandTests {
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("calls-analyze").path
    }

    struct Printed: Decodable {
        var file: String
        var durationSec: Double?
        var silenceMarks: [SilenceMark]?
        var analysis: CallAnalysis?
        var error: String?
    }

    @Test func printsTheWorkersResultAsJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var audio = SyntheticAudio()
        let path = directory.path + "/call.wav"
        try WAVFile.pcm16(audio.channel([.tone(seconds: 1), .noise(seconds: 2), .tone(seconds: 1)]), channels: 1, sampleRate: 8000)
            .write(to: URL(fileURLWithPath: path))
        let output = directory.path + "/out.json"
        try await ChildProcess.run(Self.executable, [path], standardOutput: output)

        let printed = try JSONCoding.decode(Printed.self, from: String(contentsOfFile: output, encoding: .utf8))
        let expected = try AudioAnalyzer().analyzeFile(atPath: path)
        #expect(printed.durationSec == 4)
        #expect(printed.silenceMarks == expected.silenceMarks)
        #expect(printed.analysis == expected.analysis)
    }

    @Test func reportsFilesItCannotReadAndFails() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/notes.wav"
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: path))
        let output = directory.path + "/out.json"
        await #expect(throws: ChildProcessError.self) {
            try await ChildProcess.run(Self.executable, [path], standardOutput: output)
        }
        let printed = try JSONCoding.decode(Printed.self, from: String(contentsOfFile: output, encoding: .utf8))
        #expect(printed.error?.contains("does not start like any accepted audio format") == true)
    }
}
