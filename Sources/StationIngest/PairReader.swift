/// What the client needs from a metadata file: whether a name is one, the call's fields, and where its
/// recording is. The parsers themselves live in `IngestMetadata`; `StationMetadataReader` adapts them.
public protocol PairReader: Sendable {
    /// Metadata files larger than this are refused without being read whole.
    var maximumMetadataBytes: Int { get }

    func isMetadataFile(_ fileName: String) -> Bool

    func read(metadataPath: String, bytes: [UInt8], fileExists: (String) -> Bool) -> PairReading
}

public enum PairReading: Sendable, Equatable {
    /// Deliverable: the call's fields and the recording to upload (nil: a call without a recording).
    case ready(CallFields, recording: String?)
    /// The metadata promises a recording that is not there yet.
    case waitingForRecording
    /// The pair cannot become a call; the refusal goes into the failed directory's error file.
    case refused(PairRefusal)
}
