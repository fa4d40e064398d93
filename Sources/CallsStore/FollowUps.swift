/// Work that a commit made due, as the committing statement itself reports it (`RETURNING`): the worker
/// queues exactly these after the commit, and nothing else decides them. Should that push fail, the
/// reconciler finds the work due in PostgreSQL and queues it.
public struct FollowUps: OptionSet, Sendable, Hashable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// The recording's MP3 archive was recorded as due.
    public static let archive = FollowUps(rawValue: 1 << 0)
    /// The call became final with a `callback_url`: its callback is pending (migration 0007's trigger).
    public static let callback = FollowUps(rawValue: 1 << 1)
}
