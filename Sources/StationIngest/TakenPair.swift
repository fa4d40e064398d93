/// A pair the finder judged complete and settled, ready for delivery.
public struct TakenPair: Sendable, Equatable {
    public var metadataPath: String
    public var recordingPath: String?
    /// The directory it was found in: the done and failed directories default to subdirectories of it.
    public var watchDirectory: String
    public var identity: PairIdentity
    /// Nil when the pair was refused: then `refusal` says why.
    public var fields: CallFields?
    public var refusal: PairRefusal?

    public var fileName: String { metadataPath.split(separator: "/").last.map(String.init) ?? metadataPath }
}
