/// Everything the runner needs to know besides its collaborators.
public struct IngestSettings: Sendable {
    public var directories: [String]
    public var station: String
    public var parallel = 2
    public var settle: Duration = .seconds(5)
    /// With `once`, the run ends when nothing is left that could still settle or be delivered.
    public var once = false

    public init(directories: [String], station: String) {
        self.directories = directories
        self.station = station
    }

    /// How often the directories are scanned even without an inotify event: often enough to see a file settle
    /// on time, never busier than 20 times a second.
    var scanInterval: Duration {
        min(.seconds(1), max(.milliseconds(50), settle / 4))
    }
}
