import IngestMetadata

/// The station formats of `IngestMetadata` as the client's `PairReader`: `<name>.json` waits for its
/// recording beside it (the PBX may still be moving it there); a FreeSWITCH CDR without a recording is
/// delivered as a call without one, as the PBX writes the recording before the CDR.
public struct StationMetadataReader: PairReader {
    public var recordingsDirectory: String?
    /// The CDR variables that may name the recording; empty: the parser's default.
    public var recordingVariables: [String]

    public init(recordingsDirectory: String? = nil, recordingVariables: [String] = []) {
        self.recordingsDirectory = recordingsDirectory
        self.recordingVariables = recordingVariables
    }

    public var maximumMetadataBytes: Int { StationMetadataParser.maximumBytes }

    public func isMetadataFile(_ fileName: String) -> Bool {
        MetadataFileFormat(fileName: fileName) != nil
    }

    public func read(metadataPath: String, bytes: [UInt8], fileExists: (String) -> Bool) -> PairReading {
        guard let format = MetadataFileFormat(fileName: metadataPath) else { return .refused(reason: "not a metadata file") }
        let metadata: StationCallMetadata
        do {
            switch format {
            case .json: metadata = try StationMetadataParser.parseJSON(bytes)
            case .freeswitchXML:
                metadata =
                    recordingVariables.isEmpty
                    ? try StationMetadataParser.parseFreeSWITCHCDR(bytes)
                    : try StationMetadataParser.parseFreeSWITCHCDR(bytes, recordingVariables: recordingVariables)
            }
        } catch {
            return .refused(reason: error.reason)
        }
        let recording = RecordingLocator.recording(
            for: metadataPath, metadata: metadata, format: format, recordingsDirectory: recordingsDirectory, fileExists: fileExists)
        if recording == nil && format == .json { return .waitingForRecording }
        let facts = CallFacts(
            callID: metadata.externalID, direction: metadata.direction, answeredAt: metadata.answeredAt, endedAt: metadata.endedAt,
            hangupCause: metadata.hangupCause, durationSeconds: metadata.durationSeconds, billableSeconds: metadata.billableSeconds
        ).keepingWhatTheServiceTakes(startedAt: metadata.startedAt)
        var fields = CallFields(
            caller: metadata.caller, receiver: metadata.receiver, startedAt: metadata.startedAt, tags: metadata.tags, facts: facts.facts)
        fields.droppedFacts = facts.dropped
        return .ready(fields, recording: recording)
    }
}
