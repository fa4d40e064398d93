/// Where both processes find the recordings: the store, and the local directory it roots in (or, with S3, its
/// scratch space for uploads and downloads in progress).
public struct RecordingsSettings: Sendable, Equatable {
    public var directory: String
    public var storage: StorageSettings

    public init(directory: String = "recordings", storage: StorageSettings = .local) {
        self.directory = directory
        self.storage = storage
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        self.init(
            directory: environment.string("CALLS_RECORDINGS_DIR", default: "recordings"),
            storage: try StorageSettings(environment: environment))
    }
}
