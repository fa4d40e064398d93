import Foundation
import IngestMetadata
import Testing

@Suite struct RecordingLocatorTests {
    private let started = Date(timeIntervalSince1970: 1_764_581_400)

    private func locate(
        _ metadataFile: String, format: MetadataFileFormat, reference: String? = nil, uuid: String? = nil,
        recordingsDirectory: String? = nil,
        existing: Set<String>
    ) -> String? {
        let metadata = StationCallMetadata(
            caller: "1000", receiver: "1001", startedAt: started, externalID: uuid, recordingReference: reference)
        return RecordingLocator.recording(
            for: metadataFile, metadata: metadata, format: format, recordingsDirectory: recordingsDirectory,
            fileExists: { existing.contains($0) })
    }

    @Test func jsonTakesTheWavOrElseTheMP3BesideIt() {
        let file = "/spool/in/call-7.json"
        #expect(locate(file, format: .json, existing: ["/spool/in/call-7.wav", "/spool/in/call-7.mp3"]) == "/spool/in/call-7.wav")
        #expect(locate(file, format: .json, existing: ["/spool/in/call-7.mp3"]) == "/spool/in/call-7.mp3")
        #expect(locate(file, format: .json, existing: ["/spool/in/call-8.wav", "/spool/other/call-7.wav"]) == nil)
        // JSON ignores the recordings directory and any reference: the pair is by name.
        #expect(locate(file, format: .json, reference: "/r/x.wav", recordingsDirectory: "/r", existing: ["/r/x.wav"]) == nil)
        #expect(locate("call.json", format: .json, existing: ["call.wav"]) == "call.wav")
    }

    @Test func freeSWITCHTakesTheReferencedFileAbsoluteOrRelative() {
        let file = "/spool/cdr/a_6f1c.cdr.xml"
        let absolute = "/var/lib/freeswitch/recordings/x y+1.wav"
        #expect(locate(file, format: .freeswitchXML, reference: absolute, recordingsDirectory: "/rec", existing: [absolute]) == absolute)
        #expect(
            locate(file, format: .freeswitchXML, reference: "2026/x.wav", recordingsDirectory: "/rec/", existing: ["/rec/2026/x.wav"])
                == "/rec/2026/x.wav")
        // Without a recordings directory a relative name is looked for beside the CDR.
        #expect(locate(file, format: .freeswitchXML, reference: "x.wav", existing: ["/spool/cdr/x.wav"]) == "/spool/cdr/x.wav")
    }

    @Test func freeSWITCHFallsBackToTheUUIDInTheRecordingsDirectory() {
        let file = "/spool/cdr/a.xml"
        let uuid = "6f1c2d4e-8a9b-4c3d-9e0f-1a2b3c4d5e6f"
        let existing: Set<String> = ["/rec/\(uuid).mp3"]
        #expect(
            locate(file, format: .freeswitchXML, reference: "/rec/missing.wav", uuid: uuid, recordingsDirectory: "/rec", existing: existing)
                == "/rec/\(uuid).mp3")
        #expect(
            locate(file, format: .freeswitchXML, uuid: uuid, recordingsDirectory: "/rec", existing: existing.union(["/rec/\(uuid).wav"]))
                == "/rec/\(uuid).wav")
        #expect(locate(file, format: .freeswitchXML, uuid: uuid, existing: ["/spool/cdr/\(uuid).wav"]) == "/spool/cdr/\(uuid).wav")
        #expect(locate(file, format: .freeswitchXML, uuid: uuid, recordingsDirectory: "/rec", existing: []) == nil)
        #expect(locate(file, format: .freeswitchXML, recordingsDirectory: "/rec", existing: ["/rec/.wav"]) == nil)
    }

    @Test func doesNotFollowNamesOutOfTheRecordingsDirectory() {
        let file = "/spool/cdr/a.xml"
        #expect(
            locate(file, format: .freeswitchXML, reference: "../etc/x.wav", recordingsDirectory: "/rec", existing: ["/rec/../etc/x.wav"])
                == nil)
        #expect(
            locate(file, format: .freeswitchXML, reference: "a/../../x.wav", recordingsDirectory: "/rec", existing: ["/rec/a/../../x.wav"])
                == nil)
        #expect(locate(file, format: .freeswitchXML, uuid: "../x", recordingsDirectory: "/rec", existing: ["/rec/../x.wav"]) == nil)
        #expect(locate(file, format: .freeswitchXML, uuid: "a/b", recordingsDirectory: "/rec", existing: ["/rec/a/b.wav"]) == nil)
        // Two dots inside a name are not a parent directory.
        #expect(
            locate(file, format: .freeswitchXML, reference: "a..b.wav", recordingsDirectory: "/rec", existing: ["/rec/a..b.wav"])
                == "/rec/a..b.wav")
    }

    @Test func formatFollowsTheExtension() {
        #expect(MetadataFileFormat(fileName: "call-7.json") == .json)
        #expect(MetadataFileFormat(fileName: "CALL-7.JSON") == .json)
        #expect(MetadataFileFormat(fileName: "a_6f1c.cdr.xml") == .freeswitchXML)
        #expect(MetadataFileFormat(fileName: "call-7.wav") == nil)
        #expect(MetadataFileFormat(fileName: "call-7.json.part") == nil)
        #expect(MetadataFileFormat(fileName: "xml") == nil)
    }
}
