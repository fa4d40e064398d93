/// Where `calls-events tail` starts.
public enum StartMode: String, CaseIterable, Sendable {
    /// From the state file's position (the beginning of the file when there is no state file).
    case remembered
    /// From the first byte of the file the path names now.
    case beginning
    /// After the last complete line of the file the path names now: only lines written from now on.
    case end
}
