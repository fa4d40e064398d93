@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import Testing

/// Which file a download gets: the archive once it exists, the original on request while it is kept.
@Suite struct DownloadVariantTests {
    static func stored(archive: RecordingArchive?, originalAvailable: Bool = true) -> StoredRecording {
        let recording = Recording(
            id: UUID(), filename: "agent 7.wav", format: .wav, sizeBytes: 1000, sha256: "aa", sampleRate: 8000, channels: 2,
            originalAvailable: originalAvailable, archive: archive)
        let file = archive?.status == .done ? StoredArchive(storageKey: "2026/11/21/x.archive.mp3", sizeBytes: 200, sha256: "bb") : nil
        return StoredRecording(callID: UUID(), tags: [], recording: recording, storageKey: "2026/11/21/x.wav", archive: file)
    }

    @Test func withoutAnArchiveTheOriginalIsTheDefault() throws {
        for archive in [nil, RecordingArchive(status: .pending), RecordingArchive(status: .failed, error: "boom")] {
            let variant = try DownloadVariant.choose(nil, of: Self.stored(archive: archive))
            #expect(variant.format == .original && variant.storageKey == "2026/11/21/x.wav" && variant.contentType == "audio/wav")
        }
    }

    @Test func onceArchivedTheMP3IsTheDefaultAndTheOriginalStaysOnRequest() throws {
        let stored = Self.stored(archive: RecordingArchive(status: .done))
        let mp3 = try DownloadVariant.choose(nil, of: stored)
        #expect(
            mp3
                == DownloadVariant(
                    format: .mp3, storageKey: "2026/11/21/x.archive.mp3", contentType: "audio/mpeg", filename: "agent 7.mp3",
                    sizeBytes: 200, sha256: "bb"))
        #expect(try DownloadVariant.choose(.original, of: stored).sizeBytes == 1000)
    }

    @Test func missingVariantsAndUnknownFormatsAreProblems() {
        let failed = Self.stored(archive: RecordingArchive(status: .failed, error: "MP3 holds one or two channels"))
        #expect { try DownloadVariant.choose(.mp3, of: failed) } throws: { error in
            let problem = error as? Problem
            return problem?.code == "archive_not_found" && problem?.detail.contains("MP3 holds one or two channels") == true
        }
        let replaced = Self.stored(archive: RecordingArchive(status: .done), originalAvailable: false)
        #expect { try DownloadVariant.choose(.original, of: replaced) } throws: { ($0 as? Problem)?.code == "original_not_kept" }
        #expect { try DownloadVariant.Format.parse("flac") } throws: { ($0 as? Problem)?.code == "validation_failed" }
    }

    @Test(arguments: [("call.wav", "call.mp3"), ("call", "call.mp3"), (".hidden", ".hidden.mp3"), ("a.b.wav", "a.b.mp3")])
    func theArchiveKeepsTheClientsNameWithAnMP3Extension(original: String, archive: String) {
        #expect(DownloadVariant.mp3Name(for: original) == archive)
    }
}
