import IngestMetadata

/// The station formats of `IngestMetadata` as the client's `PairReader`: `<name>.json` waits for its
/// recording beside it (the PBX may still be moving it there); a FreeSWITCH CDR without a recording is
/// delivered as a call without one, as the PBX writes the recording before the CDR.
///
/// A recording is taken only from inside the recordings directory, a watched directory or the metadata file's
/// own directory, symlinks resolved (`RecordingLocator.confine`); one found anywhere else refuses the pair
/// with `recording_outside_allowed_directories`, and neither it nor its target is sent or moved.
public struct StationMetadataReader: PairReader {
    public var recordingsDirectory: String?
    /// The CDR variables that may name the recording; empty: the parser's default.
    public var recordingVariables: [String]
    /// Where recordings may be besides the recordings directory and the metadata file's own directory.
    public var watchedDirectories: [String]

    public init(recordingsDirectory: String? = nil, recordingVariables: [String] = [], watchedDirectories: [String] = []) {
        self.recordingsDirectory = recordingsDirectory
        self.recordingVariables = recordingVariables
        self.watchedDirectories = watchedDirectories
    }

    public var maximumMetadataBytes: Int { StationMetadataParser.maximumBytes }

    public func isMetadataFile(_ fileName: String) -> Bool {
        MetadataFileFormat(fileName: fileName) != nil
    }

    public func read(metadataPath: String, bytes: [UInt8], fileExists: (String) -> Bool) -> PairReading {
        guard let format = MetadataFileFormat(fileName: metadataPath) else { return .refused(.invalidMetadata("not a metadata file")) }
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
            return .refused(.invalidMetadata(error.reason))
        }
        let facts = CallFacts(
            callID: metadata.externalID, direction: metadata.direction, answeredAt: metadata.answeredAt, endedAt: metadata.endedAt,
            hangupCause: metadata.hangupCause, durationSeconds: metadata.durationSeconds, billableSeconds: metadata.billableSeconds
        ).keepingWhatTheServiceTakes(startedAt: metadata.startedAt)
        var fields = CallFields(
            caller: metadata.caller, receiver: metadata.receiver, startedAt: metadata.startedAt, tags: metadata.tags, facts: facts.facts)
        fields.droppedFacts = facts.dropped
        guard
            let found = RecordingLocator.recording(
                for: metadataPath, metadata: metadata, format: format, recordingsDirectory: recordingsDirectory, fileExists: fileExists)
        else { return format == .json ? .waitingForRecording : .ready(fields, recording: nil) }
        switch RecordingLocator.confine(found, to: allowedDirectories(for: metadataPath)) {
        case .success(let recording): return .ready(fields, recording: recording)
        case .failure(let refusal): return .refused(.recordingOutsideAllowedDirectories(refusal.reason))
        }
    }

    private func allowedDirectories(for metadataPath: String) -> [String] {
        let own = metadataPath.lastIndex(of: "/").map { String(metadataPath[..<$0]) } ?? "."
        return (recordingsDirectory.map { [$0] } ?? []) + watchedDirectories + [own.isEmpty ? "/" : own]
    }
}
