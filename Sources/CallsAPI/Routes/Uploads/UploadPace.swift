/// The slowest an upload may arrive: after `grace`, at least `bytesPerSecond` on average since it began.
/// Hummingbird's idle timeout already closes a connection on which nothing arrives for a while; this bounds
/// the upload that trickles a byte now and then to keep the connection alive and its temporary file open.
public struct UploadPace: Sendable, Equatable {
    public var bytesPerSecond: Int
    public var grace: Duration

    public init(bytesPerSecond: Int, grace: Duration) {
        self.bytesPerSecond = bytesPerSecond
        self.grace = grace
    }

    /// True when `bytes` received in `elapsed` are too few.
    func isTooSlow(bytes: Int64, elapsed: Duration) -> Bool {
        guard elapsed > grace else { return false }
        let seconds = Double(elapsed / .milliseconds(1)) / 1000
        return Double(bytes) < Double(bytesPerSecond) * seconds
    }

    /// How long `bytes` may take to arrive: `grace` at least, longer at the minimum rate; nil when there is no
    /// minimum.
    func timeAllowed(for bytes: Int64) -> Duration? {
        guard bytesPerSecond > 0 else { return nil }
        return max(grace, .milliseconds(bytes * 1000 / Int64(bytesPerSecond)))
    }
}
