import AudioAnalysis
import CallsCore
import Foundation
import TestSupport
import Testing

/// Silences in two-party dialogues of recorded human speech (Debian's telephone prompts, two speakers in three
/// languages, stereo and mono, over line noise), built by `scripts/speech_fixtures.py` with the truth of every
/// utterance's edges. Per encoding, at least 98 % of the true silences must be found and 98 % of the found ones
/// be true, both edges within 100 ms.
///
/// `make test` builds the corpus before the suite and names it in `CALLS_TEST_SPEECH_FIXTURES`; without it
/// the suite builds its own (python3, sox, lame and the asterisk-core-sounds packages are needed either way).
@Suite struct RecordedSpeechAccuracyTests {
    static let toleranceMs: Int64 = 100
    static let target = 0.98

    struct Manifest: Decodable {
        struct Dialogue: Decodable {
            var name: String
            var layout: String
            var files: [String: String]
            var silences: [[Int64]]
        }

        var encodings: [String]
        var dialogues: [Dialogue]
    }

    static let workDirectory: TemporaryDirectory = try! TemporaryDirectory()

    static let corpus = Task { () throws -> (directory: String, manifest: Manifest) in
        let directory: String
        if let given = ProcessInfo.processInfo.environment["CALLS_TEST_SPEECH_FIXTURES"], !given.isEmpty {
            directory = given
        } else {
            directory = workDirectory.path + "/speech"
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../scripts/speech_fixtures.py"
            ).standardizedFileURL.path
            let python = ProcessInfo.processInfo.environment["CALLS_TEST_PYTHON"] ?? "python3"
            try await ChildProcess.run(python, [script, directory], standardOutput: workDirectory.path + "/fixtures.log")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))
        return (directory, try JSONDecoder().decode(Manifest.self, from: data))
    }

    /// Pairs each true silence with the closest unused detected one whose edges are both within tolerance.
    static func matchedCount(detected: [SilenceMark], truth: [[Int64]]) -> Int {
        var used = Set<Int>()
        for edges in truth {
            let candidates = detected.indices.filter {
                !used.contains($0) && abs(detected[$0].startMs - edges[0]) <= toleranceMs
                    && abs(detected[$0].endMs - edges[1]) <= toleranceMs
            }
            let closest = candidates.min {
                abs(detected[$0].startMs - edges[0]) + abs(detected[$0].endMs - edges[1])
                    < abs(detected[$1].startMs - edges[0]) + abs(detected[$1].endMs - edges[1])
            }
            if let closest { used.insert(closest) }
        }
        return used.count
    }

    @Test func theCorpusHasStereoAndMonoDialoguesInEveryEncoding() async throws {
        let (_, manifest) = try await Self.corpus.value
        #expect(Set(manifest.encodings) == ["pcm", "alaw", "ulaw", "mp3"])
        #expect(Set(manifest.dialogues.map(\.layout)) == ["stereo", "mono"])
        #expect(manifest.dialogues.reduce(0) { $0 + $1.silences.count } >= 100)
    }

    @Test(arguments: ["pcm", "alaw", "ulaw", "mp3"])
    func silencesAreFoundWithBothEdgesWithin100Ms(encoding: String) async throws {
        let (directory, manifest) = try await Self.corpus.value
        var trueCount = 0
        var detectedCount = 0
        var matched = 0
        var misses: [String] = []
        for dialogue in manifest.dialogues {
            let file = try #require(dialogue.files[encoding], "\(dialogue.name) has no \(encoding) file")
            let result = try AudioAnalyzer().analyzeFile(atPath: directory + "/" + file)
            let found = Self.matchedCount(detected: result.silenceMarks, truth: dialogue.silences)
            trueCount += dialogue.silences.count
            detectedCount += result.silenceMarks.count
            matched += found
            if found < max(dialogue.silences.count, result.silenceMarks.count) {
                misses.append("\(dialogue.name): \(found) of \(dialogue.silences.count) true, \(result.silenceMarks.count) found")
            }
        }
        let precision = Double(matched) / Double(max(1, detectedCount))
        let recall = Double(matched) / Double(max(1, trueCount))
        #expect(precision >= Self.target, "\(encoding): precision \(precision); \(misses)")
        #expect(recall >= Self.target, "\(encoding): recall \(recall); \(misses)")
    }
}
